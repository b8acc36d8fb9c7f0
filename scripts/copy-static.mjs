// Copies the files tsc does not emit (the placeholder renderer page) into dist/.
import { cpSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
mkdirSync(resolve(root, 'dist/renderer'), { recursive: true });
cpSync(resolve(root, 'renderer/static'), resolve(root, 'dist/renderer'), { recursive: true });

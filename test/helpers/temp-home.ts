import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private temp directory (0700) that stands in for LATCHKEY_HOME; removed by cleanup(). */
export function tempHome(prefix = 'latchkey-test-'): { dir: string; home: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, home: join(dir, 'home'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

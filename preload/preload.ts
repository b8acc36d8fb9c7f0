/**
 * The sandboxed preload: exposes `window.latchkey` (see api.ts) through the context bridge. It never
 * exposes ipcRenderer, a generic invoke, or IPC event objects.
 *
 * A sandboxed preload can require only 'electron' and a few built-ins, not sibling files, so api.ts
 * is imported for types only and the argument name is repeated here, checked by the compiler.
 */
import { contextBridge } from 'electron';
import type { LatchkeyApi, VERSION_ARGUMENT } from './api';

const versionArgument: typeof VERSION_ARGUMENT = '--latchkey-version=';
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]{1,64})?$/;

function appVersion(argv: readonly string[]): string {
  const value = argv.find((arg) => arg.startsWith(versionArgument))?.slice(versionArgument.length);
  return value !== undefined && VERSION.test(value) ? value : 'unknown';
}

const api: LatchkeyApi = { version: appVersion(process.argv) };

contextBridge.exposeInMainWorld('latchkey', api);

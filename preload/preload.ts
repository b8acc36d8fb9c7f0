/**
 * The sandboxed preload: exposes `window.latchkey` (see api.ts) through the context bridge — one
 * named function per call, each invoking its own channel, and `on(event, listener)` that hands the
 * listener plain data only. It never exposes ipcRenderer, a generic invoke, or IPC event objects.
 *
 * A sandboxed preload can require only 'electron' and a few built-ins, not sibling files, so api.ts
 * is imported for types only and its constants are repeated here, each typed as the original so the
 * compiler rejects any difference.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type {
  CALL_CHANNEL_PREFIX,
  CALL_NAMES,
  EVENT_CHANNEL,
  EVENT_NAMES,
  LatchkeyApi,
  LatchkeyCalls,
  LatchkeyEvents,
  VERSION_ARGUMENT,
} from './api';

const versionArgument: typeof VERSION_ARGUMENT = '--latchkey-version=';
const callPrefix: typeof CALL_CHANNEL_PREFIX = 'latchkey:';
const eventChannel: typeof EVENT_CHANNEL = 'latchkey:event';
const eventNames: typeof EVENT_NAMES = ['state', 'syncProgress'];
const callNames: typeof CALL_NAMES = [
  'getState',
  'createVault',
  'unlock',
  'lock',
  'listItems',
  'itemDetail',
  'reveal',
  'copy',
  'listStores',
  'addStore',
  'removeStore',
  'syncNow',
  'readAudit',
  'verifyAudit',
  'updateSettings',
  'shellSetup',
  'teamAccess',
  'previewGrant',
  'grant',
  'revoke',
];
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]{1,64})?$/;

function appVersion(argv: readonly string[]): string {
  const value = argv.find((arg) => arg.startsWith(versionArgument))?.slice(versionArgument.length);
  return value !== undefined && VERSION.test(value) ? value : 'unknown';
}

type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>(eventNames.map((name) => [name, new Set<Listener>()]));

ipcRenderer.on(eventChannel, (_event, name: unknown, data: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of listeners.get(name) ?? []) listener(data);
});

const calls = Object.fromEntries(
  callNames.map((name) => [
    name,
    (...args: unknown[]) => ipcRenderer.invoke(`${callPrefix}${name}`, ...args),
  ]),
) as unknown as LatchkeyCalls;

const api: LatchkeyApi = {
  ...calls,
  version: appVersion(process.argv),
  on<E extends keyof LatchkeyEvents>(event: E, listener: (data: LatchkeyEvents[E]) => void) {
    const set = listeners.get(event);
    if (set === undefined || typeof listener !== 'function') return () => undefined;
    const wrapped: Listener = (data) => listener(data as LatchkeyEvents[E]);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('latchkey', api);

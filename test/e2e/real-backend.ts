/**
 * The real backend for the UI tests: a real Desk (vault in a temp LATCHKEY_HOME, real audit log,
 * real unlock throttle, real sync engine) behind the REAL handler table main registers with
 * `ipcMain.handle`. Each call from the page is turned into the `IpcEventLike` Electron would
 * describe for the calling frame, so the table's sender check runs exactly as in the app. Only the
 * system clipboard is an in-memory stand-in (a test reads it and sees whether it was cleared).
 */
import { join } from 'node:path';
import { CALL_NAMES, type CallName } from '../../preload/api';
import { Desk, type DeskOptions } from '../../main/app/desk/desk';
import { createHandlerTable, type HandlerTable } from '../../main/app/ipc/handler-table';
import type { IpcEventLike } from '../../main/app/ipc/sender-check';
import { FAST_KDF } from '../helpers/fast-kdf';
import { MemoryClipboard } from '../helpers/memory-clipboard';
import { tempHome } from '../helpers/temp-home';
import type { UiBackend } from './harness';

/** The webContents id the table accepts as "our main window". */
export const WINDOW_ID = 7;

export interface CallFrame {
  readonly url: string;
  readonly isMainFrame: boolean;
}

/** One call as it reached the table, and what it answered (for sweeps: which answers held what). */
export interface RecordedCall {
  readonly method: string;
  readonly frame: CallFrame;
  readonly ok: boolean;
  /** The answer (ok) or the error message (not ok), as JSON. */
  readonly answer: string;
}

export interface RealBackend extends UiBackend {
  readonly desk: Desk;
  readonly table: HandlerTable;
  readonly clipboard: MemoryClipboard;
  /** LATCHKEY_HOME (the data directory). */
  readonly home: string;
  /** The temp directory around it, which is also HOME and holds the agent socket's directory. */
  readonly dir: string;
  /** Every event the desk emitted, in order. */
  readonly events: { readonly name: string; readonly data: unknown }[];
  /** Every call that reached `call`, with its answer. */
  readonly calls: RecordedCall[];
  /** What the handler table logged (refused calls, internal failures). */
  readonly log: string[];
  /** Locks, clears the clipboard if ours, and removes the temp directory. */
  cleanup(): Promise<void>;
}

export type RealBackendOptions = Pick<DeskOptions, 'revealHideMs' | 'clipboardClearMs' | 'syncSettings'>;

function isCallName(method: string): method is CallName {
  return (CALL_NAMES as readonly string[]).includes(method);
}

/** The event Electron's `ipcMain.handle` gives a handler for a call from `frame` of our window. */
export function ipcEventFor(frame: CallFrame): IpcEventLike {
  return {
    senderFrame: { url: frame.url, parent: frame.isMainFrame ? null : {} },
    sender: { id: WINDOW_ID },
  };
}

export function realBackend(options: RealBackendOptions = {}): RealBackend {
  const t = tempHome('latchkey-e2e-');
  const clipboard = new MemoryClipboard();
  const desk = new Desk({
    env: { LATCHKEY_HOME: t.home, LATCHKEY_SOCK: join(t.dir, 'run', 'agent.sock'), HOME: t.dir },
    clipboard,
    kdfParams: () => Promise.resolve(FAST_KDF),
    ...options,
  });
  const log: string[] = [];
  const table = createHandlerTable(desk, { mainWindowId: () => WINDOW_ID, log: (line) => log.push(line) });
  const events: { name: string; data: unknown }[] = [];
  const calls: RecordedCall[] = [];
  const stopRecording = desk.on((name, data) => events.push({ name, data }));

  const call = async (method: string, args: unknown[], frame: CallFrame): Promise<unknown> => {
    const record = (ok: boolean, answer: unknown): void => {
      calls.push({ method, frame, ok, answer: JSON.stringify(answer) ?? 'undefined' });
    };
    if (!isCallName(method)) {
      // What ipcRenderer.invoke meets on a channel nobody registered: a refusal, no work.
      const message = `PROTOCOL_ERROR: no handler is registered for '${method.slice(0, 80)}'`;
      record(false, message);
      throw new Error(message);
    }
    const handler = table[method] as (event: IpcEventLike, ...rest: unknown[]) => Promise<unknown>;
    try {
      const value = await handler(ipcEventFor(frame), ...args);
      record(true, value);
      return value;
    } catch (error) {
      record(false, error instanceof Error ? error.message : String(error));
      throw error;
    }
  };

  return {
    desk,
    table,
    clipboard,
    home: t.home,
    dir: t.dir,
    events,
    calls,
    log,
    call,
    onEvent: (listener) => desk.on((name, data) => listener(name, data)),
    cleanup: async () => {
      try {
        await desk.dispose();
      } finally {
        stopRecording();
        t.cleanup();
      }
    },
  };
}

/**
 * Registers the handler table with ipcMain — one channel per call of preload/api.ts — and sends
 * desk events to the window as plain data on the one event channel.
 */
import { ipcMain, type BrowserWindow } from 'electron';
import { CALL_CHANNEL_PREFIX, CALL_NAMES, EVENT_CHANNEL, type LatchkeyEvents } from '../../preload/api';
import type { HandlerTable } from './ipc/handler-table';

export function registerHandlers(table: HandlerTable): void {
  for (const name of CALL_NAMES) {
    const handler = table[name] as (
      event: Electron.IpcMainInvokeEvent,
      ...args: unknown[]
    ) => Promise<unknown>;
    ipcMain.handle(`${CALL_CHANNEL_PREFIX}${name}`, (event, ...args: unknown[]) => handler(event, ...args));
  }
}

export function sendEvent<E extends keyof LatchkeyEvents>(
  window: BrowserWindow | undefined,
  event: E,
  data: LatchkeyEvents[E],
): void {
  if (window === undefined || window.isDestroyed()) return;
  window.webContents.send(EVENT_CHANNEL, event, data);
}

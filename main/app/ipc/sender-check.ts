/**
 * Who may call an IPC handler: only our main window's top frame, at our `app://latchkey` origin
 * (SECURITY.md). Pure — the handler table and the tests use it without Electron; the shapes below
 * are the parts of Electron's `IpcMainInvokeEvent` it reads.
 */
import { LatchkeyError } from '../../core/errors';
import { isAppUrl } from '../app-url';

export interface SenderFrameLike {
  readonly url: string;
  /** Null for a top frame. */
  readonly parent: unknown;
}

export interface IpcEventLike {
  /** Null when the frame has navigated away or been destroyed. */
  readonly senderFrame: SenderFrameLike | null;
  readonly sender: { readonly id: number };
}

/**
 * Throws PROTOCOL_ERROR unless the call comes from the top frame of the window whose webContents
 * id is `mainWindowId()` (undefined: no window, so nothing is accepted) at our origin.
 */
export function checkSender(event: IpcEventLike, mainWindowId: () => number | undefined): void {
  const frame = event.senderFrame;
  const refuse = (why: string): never => {
    throw new LatchkeyError('PROTOCOL_ERROR', `refused an IPC call from ${why}`);
  };
  if (frame === null || frame === undefined) refuse('a frame that no longer exists');
  if (frame!.parent !== null) refuse('a sub-frame');
  if (!isAppUrl(frame!.url)) refuse('a page that is not the Latchkey UI');
  const id = mainWindowId();
  if (id === undefined || event.sender.id !== id) refuse('a window that is not the Latchkey window');
}

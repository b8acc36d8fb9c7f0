/**
 * What a session may do: no permissions (camera, notifications, clipboard read, devices…), no
 * downloads, no spellchecker (it fetches dictionaries) and, for the UI, no request outside our origin.
 */
import type { Session } from 'electron';
import { isAllowedRequestUrl } from './app-url';

/** The UI's session: in memory only (no `persist:` prefix), so nothing of the UI is cached on disk. */
export const UI_PARTITION = 'latchkey-ui';

/** Denies every permission, device and download on `session` and turns its spellchecker off. */
export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setSpellCheckerEnabled(false);
  session.on('will-download', (event) => event.preventDefault());
}

/**
 * Cancels every request of `session` that is not for our origin: no remote content even if a page
 * slipped past the CSP. Only for the UI session: on the default session it would also block the
 * main process's own use of Electron's `net`.
 */
export function allowOnlyOwnOrigin(session: Session): void {
  session.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !isAllowedRequestUrl(details.url) }),
  );
}

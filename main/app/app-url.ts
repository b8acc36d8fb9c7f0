/**
 * Where the UI lives: the privileged `app://latchkey` origin. Pages on `file://` could read any
 * file, so the renderer is served only from this custom scheme (see app-protocol.ts).
 * Pure: no electron import.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'latchkey';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the main window loads. */
export const ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** True when `url` is on our origin exactly: `app://latchkey`, no credentials, no port. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== undefined &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * Whether the UI session may make a request at all: our origin, `data:` (images, per the CSP) and
 * `devtools:` (developer tools in unpackaged builds). Everything else — http(s), ws(s), file,
 * other custom schemes — is remote or foreign content and is cancelled.
 */
export function isAllowedRequestUrl(url: string): boolean {
  if (isAppUrl(url)) return true;
  const parsed = parse(url);
  return parsed !== undefined && (parsed.protocol === 'data:' || parsed.protocol === 'devtools:');
}

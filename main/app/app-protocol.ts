/**
 * The `app://` scheme: registered as privileged (standard, secure) before the app is ready, then
 * handled on the UI session by reading files from the renderer root and nothing else.
 */
import { lstat, readFile } from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { APP_SCHEME } from './app-url';
import { SECURITY_HEADERS } from './content-security-policy';
import { contentTypeFor, rendererFileForUrl } from './renderer-files';

/**
 * Must run before `app` is ready. `standard` gives the scheme an origin and relative URLs, `secure`
 * makes it a secure context; no CSP bypass, no service workers, no fetch or CORS privileges.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
  ]);
}

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

async function respond(request: Request, root: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method Not Allowed');
  const file = rendererFileForUrl(root, request.url);
  const contentType = file === undefined ? undefined : contentTypeFor(file);
  if (file === undefined || contentType === undefined) return textResponse(404, 'Not Found');
  try {
    // lstat, not stat: a symlink in the bundle is not followed out of it.
    if (!(await lstat(file)).isFile()) return textResponse(404, 'Not Found');
    const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': contentType } });
  } catch {
    return textResponse(404, 'Not Found');
  }
}

/** Serves `app://latchkey/...` on `session` from files under `root` (dist/renderer). */
export function serveRenderer(session: Session, root: string): void {
  session.protocol.handle(APP_SCHEME, (request) => respond(request, root));
}

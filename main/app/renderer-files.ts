/**
 * Which file under the renderer root an `app://` request may read. Pure (no electron import), so the
 * traversal rules are tested under plain Node.
 *
 * Paths are never percent-decoded: a `%` anywhere is refused, so no encoded form (`%2e%2e`, `%2f`,
 * `%5c`, `%00`) can smuggle a dot segment or a separator past the checks. Each segment must be a
 * plain file name (letters, digits, `.`, `_`, `-`, not starting with a dot), which also rules out
 * `..`, backslashes, drive letters, NUL and empty segments (`//`).
 */
import path from 'node:path';
import { APP_SCHEME, APP_HOST } from './app-url';

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const MAX_SEGMENTS = 8;

/** Content types of the files the renderer ships; any other extension is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * The absolute path under `root` that the URL path `pathname` names, or undefined when the path is
 * not a plain relative file path (traversal, encoding, absolute, backslash, NUL, empty segment).
 * `/` and the empty path mean `index.html`.
 */
export function resolveRendererPath(root: string, pathname: string): string | undefined {
  if (pathname === '' || pathname === '/') return path.join(root, 'index.html');
  if (!pathname.startsWith('/')) return undefined;
  const segments = pathname.slice(1).split('/');
  if (segments.length > MAX_SEGMENTS || !segments.every((s) => SEGMENT.test(s))) return undefined;
  const resolved = path.resolve(root, ...segments);
  const relative = path.relative(root, resolved);
  // Belt and braces: the segment rule already keeps every accepted path inside the root.
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return resolved;
}

/**
 * The file an `app://latchkey/...` request URL names, or undefined for another scheme or host, a
 * port or credentials, or a path `resolveRendererPath` refuses. Query and fragment are ignored.
 */
export function rendererFileForUrl(root: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.hostname !== APP_HOST) return undefined;
  if (parsed.port !== '' || parsed.username !== '' || parsed.password !== '') return undefined;
  return resolveRendererPath(root, parsed.pathname);
}

/** The Content-Type for a renderer file, or undefined when its kind is not served at all. */
export function contentTypeFor(file: string): string | undefined {
  return CONTENT_TYPES[path.extname(file).toLowerCase()];
}

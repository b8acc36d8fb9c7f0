/**
 * Runs the built renderer (dist/renderer) in real Chromium with a `window.latchkey` that forwards
 * every call to a backend, as the preload and ipcMain do in the app: UI tests drive the product's
 * page, and only Electron's own IPC glue is left out.
 *
 * - The page is served through `route` on https://latchkey.test with the app's own headers
 *   (SECURITY_HEADERS, so the CSP is enforced exactly as under app://) and the app's own file rules
 *   (renderer-files.ts); every other request is refused and recorded. No server, no network.
 * - Each call reaches `backend.call(method, args, frame)` with the calling frame's URL mapped back to
 *   app://latchkey; a rejection reaches the page as an Error whose message is `CODE: sentence`.
 * - Events from `backend.onEvent` are pushed into the page to the listeners of `latchkey.on`.
 * - Console errors, page errors, CSP violations and refused requests are collected in `errors`.
 *
 * Chromium is the system's (/usr/bin/chromium, or LATCHKEY_CHROMIUM): never downloaded.
 */
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { APP_ORIGIN } from '../../main/app/app-url';
import { RENDERER_ROOT } from '../../main/app/bundle-paths';
import { SECURITY_HEADERS } from '../../main/app/content-security-policy';
import { contentTypeFor, resolveRendererPath } from '../../main/app/renderer-files';
import { CALL_NAMES, EVENT_NAMES } from '../../preload/api';

export interface UiBackend {
  call(method: string, args: unknown[], frame: { url: string; isMainFrame: boolean }): Promise<unknown>;
  onEvent(listener: (name: string, data: unknown) => void): () => void;
}

export interface UiOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /**
   * A browser to open the page in (a new context of it); `close()` then closes only that context.
   * Without one, a browser is launched for this page and closed with it.
   */
  browser?: Browser;
  /**
   * Serve these files (by path, e.g. '/index.html') instead of the built renderer, with the same
   * headers and the same bridge: the floor pages benchmarks compare the renderer with.
   */
  files?: Readonly<Record<string, { readonly type: string; readonly body: string | Buffer }>>;
}

export interface OpenUi {
  page: Page;
  /** Console errors, uncaught page errors, CSP violations and refused requests, as they happen. */
  errors: string[];
  /** Every console message of the page and its frames, whatever its level (`type: text`). */
  messages: string[];
  close(): Promise<void>;
}

/** The origin the harness serves the renderer from; calls report it as app://latchkey. */
export const TEST_ORIGIN = 'https://latchkey.test';
export const TEST_ENTRY_URL = `${TEST_ORIGIN}/index.html`;
export const CHROMIUM_PATH = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';
const VERSION = '0.1.0';

type Reply = { ok: true; value: unknown } | { ok: false; message: string };

/** The page-side bridge; runs in every frame before the page's own scripts. */
function installBridge(config: {
  callNames: readonly string[];
  eventNames: readonly string[];
  version: string;
}): void {
  type Listener = (data: unknown) => void;
  const page = globalThis as unknown as {
    __latchkeyCall(method: string, args: unknown[]): Promise<Reply>;
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: {
        violatedDirective: string;
        blockedURI: string;
        sourceFile: string;
        lineNumber: number;
      }) => void,
    ): void;
    console: { error(...data: unknown[]): void };
  };
  const listeners = new Map<string, Set<Listener>>(
    config.eventNames.map((name) => [name, new Set<Listener>()]),
  );
  const api: Record<string, unknown> = { version: config.version };
  for (const name of config.callNames) {
    api[name] = async (...args: unknown[]): Promise<unknown> => {
      const reply = await page.__latchkeyCall(name, args);
      if (!reply.ok) throw new Error(reply.message);
      return reply.value;
    };
  }
  api.on = (event: string, listener: Listener): (() => void) => {
    const set = listeners.get(event);
    if (set === undefined || typeof listener !== 'function') return () => undefined;
    const wrapped: Listener = (data) => listener(data);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  };
  // Like contextBridge: a frozen object the page cannot replace.
  Object.defineProperty(globalThis, 'latchkey', { value: Object.freeze(api), enumerable: true });
  Object.defineProperty(globalThis, '__latchkeyEmit', {
    value: (name: string, data: unknown) => {
      for (const listener of listeners.get(name) ?? []) listener(data);
    },
  });
  page.addEventListener('securitypolicyviolation', (event) => {
    page.console.error(
      `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
    );
  });
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return `INTERNAL: ${String(error)}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '' && !error.message.startsWith(`${code}: `))
    return `${code}: ${error.message}`;
  return error.message;
}

async function serve(route: Route, errors: string[], files: UiOptions['files']): Promise<void> {
  const url = new URL(route.request().url());
  if (url.origin !== TEST_ORIGIN) {
    errors.push(`refused request to ${url.href}`);
    await route.abort('blockedbyclient');
    return;
  }
  const given =
    files === undefined ? undefined : Object.hasOwn(files, url.pathname) ? files[url.pathname] : undefined;
  if (given !== undefined) {
    await route.fulfill({
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': given.type },
      body: given.body,
    });
    return;
  }
  if (files !== undefined) {
    errors.push(`not found: ${url.pathname}`);
    await route.fulfill({ status: 404, headers: { ...SECURITY_HEADERS }, body: 'Not found' });
    return;
  }
  const file = resolveRendererPath(RENDERER_ROOT, url.pathname);
  const type = file === undefined ? undefined : contentTypeFor(file);
  if (file !== undefined && type !== undefined) {
    try {
      const body = await readFile(file);
      await route.fulfill({ status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': type }, body });
      return;
    } catch {
      // Not built: answer 404 below, as the app does.
    }
  }
  errors.push(`not found: ${url.pathname}`);
  await route.fulfill({
    status: 404,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
    body: 'Not found',
  });
}

/** Headless Chromium from the system, as the harness runs it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--headless'],
  });
}

/** Opens the built renderer in headless Chromium, wired to `backend`. Build first (`npm run build`). */
export async function openUi(backend: UiBackend, options: UiOptions = {}): Promise<OpenUi> {
  const owned = options.browser === undefined;
  const browser = options.browser ?? (await launchChromium());
  const errors: string[] = [];
  const messages: string[] = [];
  let unsubscribe: () => void = () => undefined;
  let context: BrowserContext | undefined;
  const shut = async (): Promise<void> => {
    unsubscribe();
    if (owned) await browser.close();
    else await context?.close();
  };
  try {
    context = await browser.newContext({
      viewport: { width: options.width ?? 960, height: options.height ?? 640 },
      colorScheme: options.colorScheme ?? 'light',
      serviceWorkers: 'block',
    });
    await context.route('**/*', (route) => serve(route, errors, options.files));
    const page = await context.newPage();
    page.on('console', (message) => {
      messages.push(`${message.type()}: ${message.text()}`);
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      errors.push(`dialog: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });

    await page.exposeBinding(
      '__latchkeyCall',
      async (source, method: unknown, args: unknown): Promise<Reply> => {
        const frame = source.frame;
        const url = frame.url().startsWith(TEST_ORIGIN)
          ? APP_ORIGIN + frame.url().slice(TEST_ORIGIN.length)
          : frame.url();
        try {
          const value = await backend.call(String(method), Array.isArray(args) ? (args as unknown[]) : [], {
            url,
            isMainFrame: frame === page.mainFrame(),
          });
          return { ok: true, value };
        } catch (error) {
          return { ok: false, message: messageOf(error) };
        }
      },
    );
    await page.addInitScript(installBridge, {
      callNames: CALL_NAMES,
      eventNames: EVENT_NAMES,
      version: VERSION,
    });

    unsubscribe = backend.onEvent((name, data) => {
      page
        .evaluate(
          ([event, payload]) => {
            (globalThis as unknown as { __latchkeyEmit?: (n: unknown, d: unknown) => void }).__latchkeyEmit?.(
              event,
              payload,
            );
          },
          [name, data] as const,
        )
        .catch(() => undefined); // The page may be reloading or closed.
    });

    await page.goto(TEST_ENTRY_URL);
    return { page, errors, messages, close: shut };
  } catch (error) {
    await shut();
    throw error;
  }
}

/** The page's first contentful paint in ms since navigation started (waits for it, up to 5 s). */
export async function firstContentfulPaint(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        type Entry = { name: string; startTime: number };
        const perf = (
          globalThis as unknown as {
            performance: { getEntriesByName(name: string): Entry[] };
          }
        ).performance;
        const started = Date.now();
        const poll = (): void => {
          const entry = perf.getEntriesByName('first-contentful-paint')[0];
          if (entry !== undefined) resolve(entry.startTime);
          else if (Date.now() - started > 5000) reject(new Error('no first-contentful-paint entry'));
          else setTimeout(poll, 20);
        };
        poll();
      }),
  );
}

// The Electron binary cannot be installed here, so the main process is loaded under plain Node with a
// stand-in `electron` module that records what main asks of it. This checks the wiring — flags,
// sandbox, lock, session policy, protocol, window preferences, guards, IPC registration, tray,
// power events, quit — not Electron itself. LATCHKEY_HOME and LATCHKEY_SOCK point at a temp dir.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, test } from 'node:test';
import { CALL_NAMES } from '../../preload/api';
import { ENTRY_URL } from '../../main/app/app-url';
import { PRELOAD_SCRIPT } from '../../main/app/bundle-paths';
import { tempHome } from '../helpers/temp-home';

const home = tempHome('latchkey-app-wiring-');
process.env.LATCHKEY_HOME = home.home;
process.env.LATCHKEY_SOCK = path.join(home.dir, 'run', 'agent.sock');
after(() => home.cleanup());

const load = createRequire(__filename);
const appDir = path.resolve(__dirname, '../../main/app');
const mainScript = path.join(appDir, 'main.js');

type Handler = (...args: never[]) => unknown;

interface FakeEvent {
  defaultPrevented: boolean;
  isMainFrame?: boolean;
  preventDefault(): void;
}

function fakeEvent(extra: Partial<FakeEvent> = {}): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

let nextWebContentsId = 1;

class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly sent: unknown[][] = [];
  reloads = 0;
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  reloadIgnoringCache(): void {
    this.reloads++;
  }
  windowOpenHandler: Handler | undefined;
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
}

class FakeSession extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  readonly calls: string[] = [];
  readonly protocol = {
    handle: (scheme: string, handler: Handler): void => {
      this.handlers.set(`protocol:${scheme}`, handler);
    },
  };
  readonly webRequest = {
    onBeforeRequest: (handler: Handler): void => {
      this.handlers.set('onBeforeRequest', handler);
    },
  };
  constructor(readonly partition: string) {
    super();
  }
  setPermissionRequestHandler(handler: Handler): void {
    this.handlers.set('permissionRequest', handler);
  }
  setPermissionCheckHandler(handler: Handler): void {
    this.handlers.set('permissionCheck', handler);
  }
  setDevicePermissionHandler(handler: Handler): void {
    this.handlers.set('devicePermission', handler);
  }
  setSpellCheckerEnabled(enabled: boolean): void {
    this.calls.push(`spellchecker:${enabled}`);
  }
}

interface WindowOptions {
  show?: boolean;
  webPreferences?: Record<string, unknown> & { session?: FakeSession };
}

/** A stand-in for the parts of `electron` the main process uses, recording every call. */
function fakeElectron(options: { lock?: boolean; switches?: string[] } = {}) {
  const calls: string[] = [];
  const windows: FakeWindow[] = [];
  const sessions = new Map<string, FakeSession>();
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  class FakeWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    readonly actions: string[] = [];
    constructor(readonly options: WindowOptions) {
      super();
      windows.push(this);
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      return Promise.resolve();
    }
    isMinimized(): boolean {
      return true;
    }
    isDestroyed(): boolean {
      return false;
    }
    restore(): void {
      this.actions.push('restore');
    }
    show(): void {
      this.actions.push('show');
    }
    focus(): void {
      this.actions.push('focus');
    }
  }

  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    commandLine: { hasSwitch: (name: string) => (options.switches ?? []).includes(name) },
    enableSandbox: () => calls.push('enableSandbox'),
    requestSingleInstanceLock: () => {
      calls.push('requestSingleInstanceLock');
      return options.lock ?? true;
    },
    quit: () => calls.push('quit'),
    exit: (code: number) => calls.push(`exit:${code}`),
    getVersion: () => '0.1.0',
    getPath: () => home.dir,
    isInApplicationsFolder: () => true,
    whenReady: () => ready,
  });
  const ipcHandlers = new Map<string, Handler>();
  const trays: FakeTray[] = [];
  class FakeTray extends EventEmitter {
    tooltip = '';
    menu: { label?: string; enabled?: boolean; click?: () => void }[] = [];
    constructor(readonly image: unknown) {
      super();
      trays.push(this);
    }
    setImage(): void {}
    setToolTip(text: string): void {
      this.tooltip = text;
    }
    setContextMenu(menu: { items: FakeTray['menu'] }): void {
      this.menu = menu.items;
    }
    destroy(): void {}
  }
  const powerMonitor = Object.assign(new EventEmitter(), {
    getSystemIdleState: () => 'active',
    getSystemIdleTime: () => 0,
  });

  const sessionFor = (partition: string): FakeSession => {
    let found = sessions.get(partition);
    if (found === undefined) {
      found = new FakeSession(partition);
      sessions.set(partition, found);
    }
    return found;
  };

  const module = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, handler: Handler) => {
        if (ipcHandlers.has(channel)) throw new Error(`a second handler for ${channel}`);
        ipcHandlers.set(channel, handler);
      },
    },
    clipboard: {
      readText: () => Promise.resolve(''),
      writeText: () => Promise.resolve(),
      clear: () => undefined,
    },
    dialog: { showMessageBox: () => Promise.resolve({ response: 0 }) },
    Tray: FakeTray,
    Menu: { buildFromTemplate: (items: FakeTray['menu']) => ({ items }) },
    nativeImage: { createFromBitmap: (bitmap: Buffer, size: unknown) => ({ bitmap, size }) },
    powerMonitor,
    nativeTheme: { shouldUseDarkColors: false },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => {
        calls.push(`registerSchemesAsPrivileged:${JSON.stringify(schemes)}`);
      },
    },
    session: {
      get defaultSession() {
        return sessionFor('<default>');
      },
      fromPartition: sessionFor,
    },
  };
  return { module, app, calls, windows, sessions, markReady, ipcHandlers, trays, powerMonitor };
}

type Fake = ReturnType<typeof fakeElectron>;

/** Every launched app is quit at the end, which closes its agent socket. */
const launched: Fake[] = [];
after(async () => {
  for (const fake of launched) fake.app.emit('before-quit', fakeEvent());
  await new Promise((resolve) => setTimeout(resolve, 50));
});

/** Loads dist/main/app/main.js afresh against `fake`, with `argv` as the launch arguments. */
async function launch(fake: Fake, argv: string[] = []): Promise<string> {
  const electronPath = load.resolve('electron');
  load.cache[electronPath] = {
    id: electronPath,
    filename: electronPath,
    loaded: true,
    exports: fake.module,
  } as never;
  for (const key of Object.keys(load.cache)) if (key.startsWith(appDir + path.sep)) delete load.cache[key];

  const savedArgv = process.argv;
  const savedWrite = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.argv = ['/opt/Latchkey/latchkey', ...argv];
  process.stderr.write = (chunk: string | Uint8Array): boolean => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  try {
    load(mainScript);
    fake.markReady();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    launched.push(fake);
  } finally {
    process.argv = savedArgv;
    process.stderr.write = savedWrite;
    delete load.cache[electronPath];
  }
  return stderr;
}

function uiSession(fake: Fake): FakeSession {
  const ui = fake.sessions.get('latchkey-ui');
  assert.ok(ui, 'the UI session was created');
  return ui;
}

void test('a refused flag exits 1 with one line, before the sandbox, lock or window', async () => {
  const fake = fakeElectron();
  const stderr = await launch(fake, ['--remote-debugging-port=9222']);
  assert.deepEqual(fake.calls, ['exit:1']);
  assert.equal(stderr.trimEnd().split('\n').length, 1);
  assert.match(stderr, /--remote-debugging-port/);
  assert.equal(fake.windows.length, 0);
});

void test('a refused switch Chromium parsed (not in argv) is refused too', async () => {
  const fake = fakeElectron({ switches: ['no-sandbox'] });
  const stderr = await launch(fake);
  assert.deepEqual(fake.calls, ['exit:1']);
  assert.match(stderr, /--no-sandbox/);
});

void test('the sandbox is enabled and app:// registered as standard and secure only, before ready', async () => {
  const fake = fakeElectron();
  await launch(fake);
  assert.equal(fake.calls[0], 'enableSandbox');
  assert.ok(
    fake.calls.includes(
      'registerSchemesAsPrivileged:[{"scheme":"app","privileges":{"standard":true,"secure":true}}]',
    ),
  );
});

void test('a second launch quits without opening a window', async () => {
  const fake = fakeElectron({ lock: false });
  await launch(fake);
  assert.ok(fake.calls.includes('quit'));
  assert.equal(fake.windows.length, 0);
});

void test('a second launch focuses the first window', async () => {
  const fake = fakeElectron();
  await launch(fake);
  assert.equal(fake.windows.length, 1);
  fake.app.emit('second-instance', fakeEvent(), [], '/');
  assert.equal(fake.windows.length, 1);
  assert.deepEqual(fake.windows[0]?.actions, ['restore', 'show', 'focus']);
});

void test('the window is sandboxed, isolated, Node-free and loads the UI from app://', async () => {
  const fake = fakeElectron();
  await launch(fake);
  const window = fake.windows[0];
  assert.ok(window);
  const prefs = window.options.webPreferences ?? {};
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.spellcheck, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.devTools, false, 'no developer tools in the packaged app');
  assert.equal(prefs.preload, PRELOAD_SCRIPT);
  assert.deepEqual(prefs.additionalArguments, ['--latchkey-version=0.1.0']);
  assert.equal(prefs.session, uiSession(fake));
  assert.deepEqual(window.loaded, [ENTRY_URL]);
});

void test('every permission request and check is denied, on the UI and default sessions', async () => {
  const fake = fakeElectron();
  await launch(fake);
  for (const ses of [uiSession(fake), fake.sessions.get('<default>')]) {
    assert.ok(ses);
    let granted: boolean | undefined;
    const request = ses.handlers.get('permissionRequest') as (
      c: unknown,
      p: string,
      cb: (g: boolean) => void,
    ) => void;
    request({}, 'media', (g) => (granted = g));
    assert.equal(granted, false);
    const check = ses.handlers.get('permissionCheck') as (c: unknown, p: string) => boolean;
    assert.equal(check({}, 'clipboard-read'), false);
    const device = ses.handlers.get('devicePermission') as (d: unknown) => boolean;
    assert.equal(device({}), false);
    assert.ok(ses.calls.includes('spellchecker:false'));
  }
});

void test('the UI session cancels requests that leave our origin', async () => {
  const fake = fakeElectron();
  await launch(fake);
  const onBeforeRequest = uiSession(fake).handlers.get('onBeforeRequest') as (
    d: { url: string },
    cb: (r: { cancel: boolean }) => void,
  ) => void;
  const cancelled = (url: string): boolean | undefined => {
    let result: boolean | undefined;
    onBeforeRequest({ url }, (r) => (result = r.cancel));
    return result;
  };
  assert.equal(cancelled('app://latchkey/app.css'), false);
  assert.equal(cancelled('https://example.com/beacon'), true);
  assert.equal(cancelled('file:///etc/passwd'), true);
});

void test('downloads are refused', async () => {
  const fake = fakeElectron();
  await launch(fake);
  const event = fakeEvent();
  uiSession(fake).emit('will-download', event);
  assert.equal(event.defaultPrevented, true);
});

void test('every web contents is barred from navigating, opening windows and attaching webviews', async () => {
  const fake = fakeElectron();
  await launch(fake);
  const contents = new FakeWebContents();
  fake.app.emit('web-contents-created', fakeEvent(), contents);

  const navigate = fakeEvent();
  contents.emit('will-navigate', navigate);
  assert.equal(navigate.defaultPrevented, true);

  const subframe = fakeEvent({ isMainFrame: false });
  contents.emit('will-frame-navigate', subframe);
  assert.equal(subframe.defaultPrevented, true);

  const webview = fakeEvent();
  contents.emit('will-attach-webview', webview, {}, {});
  assert.equal(webview.defaultPrevented, true);

  assert.deepEqual((contents.windowOpenHandler as () => unknown)(), { action: 'deny' });
});

async function fetchApp(fake: Fake, url: string, method = 'GET'): Promise<Response> {
  const handler = uiSession(fake).handlers.get('protocol:app') as (r: Request) => Promise<Response>;
  assert.ok(handler, 'app:// is handled on the UI session');
  return handler(new Request(url, { method }));
}

void test('app:// serves the built page with the CSP header', async () => {
  const fake = fakeElectron();
  await launch(fake);
  const response = await fetchApp(fake, ENTRY_URL);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(
    response.headers.get('content-security-policy') ?? '',
    /^default-src 'none'; script-src 'self';/,
  );
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await response.text(), /<div id="root">/);
});

void test('app:// answers 404, with the CSP header, for anything outside dist/renderer', async () => {
  const fake = fakeElectron();
  await launch(fake);
  for (const url of [
    'app://latchkey/..%2f..%2fpackage.json',
    'app://latchkey/%2e%2e%5c%2e%2e%5cpackage.json',
    'app://latchkey/missing.js',
    'app://latchkey/index.html%00',
    'app://other/index.html',
  ]) {
    const response = await fetchApp(fake, url);
    assert.equal(response.status, 404, url);
    assert.ok(response.headers.get('content-security-policy'), url);
  }
});

void test('app:// refuses methods other than GET and HEAD', async () => {
  const fake = fakeElectron();
  await launch(fake);
  assert.equal((await fetchApp(fake, ENTRY_URL, 'POST')).status, 405);
  const head = await fetchApp(fake, ENTRY_URL, 'HEAD');
  assert.equal(head.status, 200);
});

void test('every call of preload/api.ts is registered once on its own channel, sender-checked', async () => {
  const fake = fakeElectron();
  await launch(fake);
  assert.deepEqual([...fake.ipcHandlers.keys()].sort(), CALL_NAMES.map((n) => `latchkey:${n}`).sort());
  const getState = fake.ipcHandlers.get('latchkey:getState') as (e: unknown) => Promise<{ phase: string }>;
  const window = fake.windows[0]!;
  const fromUi = { senderFrame: { url: ENTRY_URL, parent: null }, sender: { id: window.webContents.id } };
  assert.equal((await getState(fromUi)).phase, 'absent');
  const fromFrame = { senderFrame: { url: ENTRY_URL, parent: {} }, sender: { id: window.webContents.id } };
  await assert.rejects(getState(fromFrame), /^Error: PROTOCOL_ERROR: refused an IPC call from a sub-frame/);
  const fromOther = {
    senderFrame: { url: ENTRY_URL, parent: null },
    sender: { id: window.webContents.id + 100 },
  };
  await assert.rejects(getState(fromOther), /PROTOCOL_ERROR/);
});

void test('a tray shows the state with Lock, Open, Install command line tool and Quit; closing the window does not quit', async () => {
  const fake = fakeElectron();
  await launch(fake);
  const tray = fake.trays[0];
  assert.ok(tray);
  assert.equal(tray.tooltip, 'Latchkey — locked');
  assert.deepEqual(
    tray.menu.filter((i) => i.label).map((i) => i.label),
    ['Locked', 'Open Latchkey', 'Lock', 'Install command line tool', 'Quit'],
  );
  assert.equal(tray.menu.find((i) => i.label === 'Lock')?.enabled, false);
  fake.app.emit('window-all-closed');
  assert.ok(!fake.calls.includes('quit'));
});

void test('quitting locks and closes the agent first, then quits', async () => {
  const fake = fakeElectron();
  await launch(fake);
  const event = fakeEvent();
  fake.app.emit('before-quit', event);
  assert.equal(event.defaultPrevented, true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(fake.calls.includes('quit'));
});

void test('the app hosts the agent on LATCHKEY_SOCK, and still opens when another agent already listens there', async () => {
  for (const earlier of launched.splice(0)) earlier.app.emit('before-quit', fakeEvent());
  await new Promise((resolve) => setTimeout(resolve, 100));
  const fake = fakeElectron();
  const stderr = await launch(fake);
  assert.match(stderr, /agent listening on .*agent\.sock/);
  const second = fakeElectron();
  const stderr2 = await launch(second);
  assert.match(stderr2, /not hosting the agent: an agent is already listening/);
  assert.equal(second.windows.length, 1);
});

void test('locking reloads the window once (dropping what the page held); other state changes are sent as events', async () => {
  for (const earlier of launched.splice(0)) earlier.app.emit('before-quit', fakeEvent());
  await new Promise((resolve) => setTimeout(resolve, 100));
  const fake = fakeElectron();
  await launch(fake);
  const window = fake.windows[0]!;
  const fromUi = { senderFrame: { url: ENTRY_URL, parent: null }, sender: { id: window.webContents.id } };
  const call = (name: string, ...args: unknown[]) =>
    (fake.ipcHandlers.get(`latchkey:${name}`) as (e: unknown, ...a: unknown[]) => Promise<unknown>)(
      fromUi,
      ...args,
    );
  const state = (await call('getState')) as { phase: string };
  if (state.phase === 'absent') await call('createVault', 'wiring test passphrase');
  else await call('unlock', 'wiring test passphrase');
  assert.equal(window.webContents.reloads, 0);
  assert.ok(window.webContents.sent.some((m) => m[1] === 'state'));
  assert.equal(fake.trays[0]?.tooltip, 'Latchkey — unlocked');
  await call('lock');
  assert.equal(window.webContents.reloads, 1);
  assert.equal(fake.trays[0]?.tooltip, 'Latchkey — locked');
  await call('lock');
  assert.equal(window.webContents.reloads, 1, 'locking again reloads nothing');
});

/**
 * The Electron main process, kept thin: refuse dangerous launch flags, turn the sandbox on for every
 * renderer, hold the single-instance lock, serve the UI from `app://` and open one window.
 *
 * The crash reporter is deliberately never started: once started it cannot be stopped, and its
 * dumps hold stacks that may hold secrets (SECURITY.md).
 */
import { app, session, type BrowserWindow, type Session } from 'electron';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { RENDERER_ROOT } from './bundle-paths';
import { REFUSED_SWITCHES, refusalMessage, refusedLaunchFlag } from './launch-flags';
import { UI_PARTITION, allowOnlyOwnOrigin, lockDownSession } from './session-policy';
import { guardWebContents } from './web-contents-guard';
import { createMainWindow, focusWindow } from './window';

/** A refused flag in argv, in Node's own arguments, or among the switches Chromium parsed. */
function refusedFlagOfThisLaunch(): string | undefined {
  const inArgv = refusedLaunchFlag([...process.argv, ...process.execArgv]);
  if (inArgv !== undefined) return inArgv;
  const parsed = REFUSED_SWITCHES.find((name) => app.commandLine.hasSwitch(name));
  return parsed === undefined ? undefined : `--${parsed}`;
}

function fail(what: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`latchkey: ${what}: ${reason}\n`);
  app.exit(1);
}

function start(): void {
  const refused = refusedFlagOfThisLaunch();
  if (refused !== undefined) {
    process.stderr.write(`${refusalMessage(refused)}\n`);
    app.exit(1);
    return;
  }

  app.enableSandbox();
  registerAppScheme();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));

  let mainWindow: BrowserWindow | undefined;
  let uiSession: Session | undefined;

  const showMainWindow = (): void => {
    if (uiSession === undefined) return;
    if (mainWindow !== undefined) {
      focusWindow(mainWindow);
      return;
    }
    mainWindow = createMainWindow(uiSession);
    mainWindow.on('closed', () => {
      mainWindow = undefined;
    });
  };

  app.on('second-instance', showMainWindow);
  app.on('activate', showMainWindow);
  app.on('window-all-closed', () => {
    // The tray (later) keeps the app alive; until then, closing the window quits, except on macOS.
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      lockDownSession(session.defaultSession);
      uiSession = session.fromPartition(UI_PARTITION);
      lockDownSession(uiSession);
      allowOnlyOwnOrigin(uiSession);
      serveRenderer(uiSession, RENDERER_ROOT);
      showMainWindow();
    })
    .catch((error: unknown) => fail('could not open the window', error));
}

start();

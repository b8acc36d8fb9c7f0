/**
 * The Electron main process, kept thin: refuse dangerous launch flags, turn the sandbox on for every
 * renderer, hold the single-instance lock, serve the UI from `app://`, open one window, and wire
 * the desk (the app's backend, main/app/desk) to IPC, the tray, the power events and the agent
 * socket — the app hosts the same agent as `latchkey agent`, so terminals work while it is unlocked.
 *
 * The crash reporter is deliberately never started: once started it cannot be stopped, and its
 * dumps hold stacks that may hold secrets (SECURITY.md).
 */
import { cpSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { app, clipboard, dialog, session, type BrowserWindow, type Session } from 'electron';
import { hardenProcess } from '../core/agent/harden-process';
import { AgentServer } from '../core/agent/server';
import { socketPath } from '../core/agent/socket-path';
import { LatchkeyError } from '../core/errors';
import { cliInstallPlan, installCli } from './cli-install';
import { Desk } from './desk/desk';
import { createHandlerTable } from './ipc/handler-table';
import { registerHandlers, sendEvent } from './ipc-registration';
import { watchPower } from './power-watch';
import { AppTray } from './tray';
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
  hardenProcess();

  let mainWindow: BrowserWindow | undefined;
  let uiSession: Session | undefined;
  let tray: AppTray | undefined;
  const log = (line: string): void => void process.stderr.write(`latchkey: ${line}\n`);
  const desk = new Desk({
    env: process.env,
    clipboard: {
      readText: () => clipboard.readText(),
      writeText: (text) => clipboard.writeText(text),
      clear: () => clipboard.clear(),
    },
  });
  const table = createHandlerTable(desk, { mainWindowId: () => mainWindow?.webContents.id, log });
  registerHandlers(table);
  let wasUnlocked = false;
  desk.on((event, data) => {
    if (event === 'state') {
      const locked = (data as { phase: string }).phase !== 'unlocked';
      tray?.show(locked);
      const justLocked = locked && wasUnlocked;
      wasUnlocked = !locked;
      // Locking drops the keys here and everything the page held: it starts again from the unlock view.
      if (justLocked && mainWindow !== undefined && !mainWindow.isDestroyed()) {
        mainWindow.webContents.reloadIgnoringCache();
        return;
      }
    }
    sendEvent(mainWindow, event, data);
  });
  const agent = new AgentServer({
    socketPath: socketPath(process.env),
    session: desk.session,
    version: app.getVersion(),
    log,
  });
  const installCommandLineTool = (): void => {
    const plan = cliInstallPlan({
      platform: process.platform,
      resourcesPath: app.isPackaged ? process.resourcesPath : undefined,
      checkoutLauncher: resolve(__dirname, '..', '..', '..', 'bin', 'latchkey.js'),
      home: homedir(),
      userData: app.getPath('userData'),
      version: app.getVersion(),
      appImage: process.env.APPIMAGE,
      inApplicationsFolder: process.platform !== 'darwin' || app.isInApplicationsFolder(),
    });
    const tell = (type: 'info' | 'error', message: string, detail: string): void =>
      void dialog.showMessageBox({ type, message, detail });
    if (plan.kind === 'refuse') return tell('error', 'The latchkey command was not installed.', plan.reason);
    if (plan.kind === 'add-to-path') {
      return tell(
        'info',
        'Add the latchkey command to your Path',
        `Add this folder to your user Path, then open a new terminal:\n${plan.dir}`,
      );
    }
    try {
      if (plan.copyFrom !== undefined && plan.copyTo !== undefined)
        cpSync(plan.copyFrom, plan.copyTo, { recursive: true });
      const result = installCli(plan.launcher, plan.binDir);
      tell(
        'info',
        result === 'already-installed'
          ? 'The latchkey command is already installed.'
          : `Installed ${join(plan.binDir, 'latchkey')}.`,
        `Make sure ${plan.binDir} is on your PATH. The command needs Node.js 20.10 or later.`,
      );
    } catch (error) {
      tell(
        'error',
        'The latchkey command was not installed.',
        error instanceof LatchkeyError ? error.message : 'an unexpected error; see the log',
      );
    }
  };

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
  // The tray keeps the app (and the agent) alive when the window is closed; Quit is in its menu.
  app.on('window-all-closed', () => undefined);
  // Before quitting: lock, clear the clipboard if it holds our value, close the socket.
  let disposed = false;
  app.on('before-quit', (event) => {
    if (disposed) return;
    event.preventDefault();
    disposed = true;
    void Promise.allSettled([desk.dispose(), agent.close()]).then(() => app.quit());
  });

  app
    .whenReady()
    .then(() => {
      lockDownSession(session.defaultSession);
      uiSession = session.fromPartition(UI_PARTITION);
      lockDownSession(uiSession);
      allowOnlyOwnOrigin(uiSession);
      serveRenderer(uiSession, RENDERER_ROOT);
      tray = new AppTray({
        open: showMainWindow,
        lock: () => desk.lock('requested'),
        installCli: installCommandLineTool,
        quit: () => app.quit(),
      });
      watchPower(
        () => desk.settings,
        (reason) => desk.lock(reason),
      );
      showMainWindow();
      // Terminals keep working through the app's agent. If one already runs (`latchkey agent` in a
      // terminal) the app still works, but terminals talk to that one: say so, do not fail.
      agent.listen().then(
        () => log(`agent listening on ${socketPath(process.env)}`),
        (error: unknown) =>
          log(
            `not hosting the agent: ${error instanceof LatchkeyError ? error.message : 'the socket could not be opened'}`,
          ),
      );
    })
    .catch((error: unknown) => fail('could not open the window', error));
}

start();

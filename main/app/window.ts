/**
 * The one main window: sandboxed, context-isolated, no Node, the typed preload, the UI from
 * `app://latchkey`. Tray and further windows come with the full UI.
 */
import { app, BrowserWindow, nativeTheme, type Session } from 'electron';
import { VERSION_ARGUMENT } from '../../preload/api';
import { ENTRY_URL } from './app-url';
import { PRELOAD_SCRIPT } from './bundle-paths';
import { guardWebContents } from './web-contents-guard';

/** Matches the page background in renderer/src/styles/app.css, so the window does not flash. */
const BACKGROUND = { light: '#f6f5f1', dark: '#18191c' };

/** Creates the main window on `session` and loads the UI; it is shown once the page has painted. */
export function createMainWindow(session: Session): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Latchkey',
    width: 960,
    height: 640,
    minWidth: 560,
    minHeight: 400,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? BACKGROUND.dark : BACKGROUND.light,
    webPreferences: {
      session,
      preload: PRELOAD_SCRIPT,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      // Middle-click opens nothing (window.open and navigation are denied anyway: web-contents-guard).
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      enableWebSQL: false,
      devTools: !app.isPackaged,
      // The sandboxed preload cannot read package.json; it reads the version from its argv.
      additionalArguments: [`${VERSION_ARGUMENT}${app.getVersion()}`],
    },
  });
  guardWebContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  window.loadURL(ENTRY_URL).catch(() => {
    process.stderr.write('latchkey: the window could not load its page\n');
  });
  return window;
}

/** Brings `window` to the front (a second launch of the app lands here). */
export function focusWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

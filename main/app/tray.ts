/** The tray (menu-bar) icon: shows locked or unlocked, with Lock / Open / Install CLI / Quit. */
import { Menu, Tray, nativeImage, nativeTheme } from 'electron';
import { TRAY_ICON_SIZE, trayIconBitmap } from './tray-icon';

export interface TrayActions {
  readonly open: () => void;
  readonly lock: () => void;
  readonly installCli: () => void;
  readonly quit: () => void;
}

export class AppTray {
  readonly #tray: Tray;
  readonly #actions: TrayActions;

  constructor(actions: TrayActions) {
    this.#actions = actions;
    this.#tray = new Tray(this.#icon(true));
    this.#tray.on('click', () => actions.open());
    this.show(true);
  }

  #icon(locked: boolean): Electron.NativeImage {
    const bitmap = trayIconBitmap(locked, nativeTheme.shouldUseDarkColors);
    return nativeImage.createFromBitmap(bitmap, { width: TRAY_ICON_SIZE, height: TRAY_ICON_SIZE });
  }

  /** Updates icon, tooltip and menu for the vault's state. */
  show(locked: boolean): void {
    this.#tray.setImage(this.#icon(locked));
    this.#tray.setToolTip(locked ? 'Latchkey — locked' : 'Latchkey — unlocked');
    this.#tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: locked ? 'Locked' : 'Unlocked', enabled: false },
        { type: 'separator' },
        { label: 'Open Latchkey', click: () => this.#actions.open() },
        { label: 'Lock', enabled: !locked, click: () => this.#actions.lock() },
        { label: 'Install command line tool', click: () => this.#actions.installCli() },
        { type: 'separator' },
        { label: 'Quit', click: () => this.#actions.quit() },
      ]),
    );
  }

  destroy(): void {
    this.#tray.destroy();
  }
}

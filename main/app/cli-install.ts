/**
 * "Install command line tool": links the `latchkey` launcher shipped with the app into a bin
 * directory on PATH (~/.local/bin by default on Linux and macOS). Never replaces a file that is
 * not already our link. Pure Node (no electron import), so it is tested on a temp directory.
 */
import { lstatSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LatchkeyError } from '../core/errors';

export type CliInstallResult = 'installed' | 'already-installed' | 'replaced-old-link';

/** Links `binDir/latchkey` to `launcher`. UNSAFE_PATH when something else is there. */
export function installCli(launcher: string, binDir: string): CliInstallResult {
  const target = join(binDir, 'latchkey');
  mkdirSync(binDir, { recursive: true, mode: 0o755 });
  let existing;
  try {
    existing = lstatSync(target);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined) {
    if (!existing.isSymbolicLink()) {
      throw new LatchkeyError(
        'UNSAFE_PATH',
        `${target} exists and is not a link Latchkey made; remove it or install by hand (ln -s ${launcher} ${target})`,
      );
    }
    if (readlinkSync(target) === launcher) return 'already-installed';
    if (!readlinkSync(target).includes('atchkey')) {
      throw new LatchkeyError(
        'UNSAFE_PATH',
        `${target} links to ${readlinkSync(target)}, not to a Latchkey launcher; remove it first`,
      );
    }
    unlinkSync(target);
    symlinkSync(launcher, target);
    return 'replaced-old-link';
  }
  symlinkSync(launcher, target);
  return 'installed';
}

export interface CliInstallContext {
  readonly platform: NodeJS.Platform;
  /** `resources/` of the packaged app, or undefined in a checkout (then `checkoutLauncher`). */
  readonly resourcesPath: string | undefined;
  readonly checkoutLauncher: string;
  readonly home: string;
  readonly userData: string;
  readonly version: string;
  /** Set when running as an AppImage (its mount disappears when the app quits). */
  readonly appImage: string | undefined;
  /** macOS: false when the app runs translocated from its download place. */
  readonly inApplicationsFolder: boolean;
}

export type CliInstallPlan =
  | {
      readonly kind: 'link';
      readonly launcher: string;
      readonly binDir: string;
      readonly copyFrom?: string;
      readonly copyTo?: string;
    }
  | { readonly kind: 'add-to-path'; readonly dir: string }
  | { readonly kind: 'refuse'; readonly reason: string };

/**
 * How to install the command here (docs/packaging.md): a link in ~/.local/bin; from an AppImage, to
 * a per-version copy of the CLI in the user data directory (the mount goes away on quit); on
 * macOS only once the app is in /Applications; on Windows, the directory to add to Path.
 */
export function cliInstallPlan(c: CliInstallContext): CliInstallPlan {
  const binDir = join(c.home, '.local', 'bin');
  if (c.resourcesPath === undefined) return { kind: 'link', launcher: c.checkoutLauncher, binDir };
  const shipped = join(c.resourcesPath, 'cli');
  if (c.platform === 'win32') return { kind: 'add-to-path', dir: join(shipped, 'bin') };
  if (c.platform === 'darwin' && !c.inApplicationsFolder) {
    return {
      kind: 'refuse',
      reason:
        'move Latchkey to the Applications folder first: from where it was downloaded, its path changes at every start',
    };
  }
  if (c.appImage !== undefined) {
    const copyTo = join(c.userData, 'cli', c.version);
    return { kind: 'link', launcher: join(copyTo, 'bin', 'latchkey.js'), binDir, copyFrom: shipped, copyTo };
  }
  return { kind: 'link', launcher: join(shipped, 'bin', 'latchkey.js'), binDir };
}

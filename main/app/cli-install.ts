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

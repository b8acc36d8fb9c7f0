/**
 * Crash-safe replacement of a file: temp file in the same directory (exclusive create, 0600) →
 * write → fsync → read back and compare → keep the old file as the backup (a hard link) → rename
 * over the target → fsync the directory. A crash at any instant leaves the old or the new file
 * under the target name, never neither and never a mix.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LatchkeyError } from '../errors';
import { storageError } from './private-paths';

/** Test hook: called with the name of each step; a test process may die there (SIGKILL) on purpose. */
export type StepHook = (step: 'temp-written' | 'backup-linked' | 'renamed' | 'dir-synced') => void;

function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function writeTemp(target: string, bytes: Buffer): string {
  const tmp = tempPath(target);
  let fd: number;
  try {
    fd = openSync(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
  } catch (error) {
    throw storageError(`creating a temporary file next to ${target}`, error);
  }
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } catch (error) {
    closeQuietly(fd);
    unlinkQuietly(tmp);
    throw storageError(`writing ${target}`, error);
  }
  closeSync(fd);
  let back: Buffer;
  try {
    back = readFileSync(tmp);
  } catch (error) {
    unlinkQuietly(tmp);
    throw storageError(`reading back ${tmp}`, error);
  }
  if (!back.equals(bytes)) {
    unlinkQuietly(tmp);
    throw new LatchkeyError(
      'STORAGE_FAILED',
      `the data read back from ${tmp} differs from what was written; the vault on disk was not changed`,
    );
  }
  return tmp;
}

/** fsync a directory so a rename or link in it is durable. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch (error) {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
    if (process.platform !== 'win32') throw storageError(`syncing ${dir}`, error);
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

/** Replaces `target` with `bytes`, keeping the previous content at `backup` when there was one. */
export function atomicReplace(target: string, bytes: Buffer, backup?: string, hook?: StepHook): void {
  const dir = dirname(target);
  const tmp = writeTemp(target, bytes);
  hook?.('temp-written');
  try {
    if (backup !== undefined) keepBackup(target, backup);
    hook?.('backup-linked');
    renameSync(tmp, target);
    hook?.('renamed');
  } catch (error) {
    unlinkQuietly(tmp);
    throw error instanceof LatchkeyError ? error : storageError(`replacing ${target}`, error);
  }
  fsyncDir(dir);
  hook?.('dir-synced');
}

/** Creates `target` with `bytes`, failing with VAULT_EXISTS if it exists (never overwrites). */
export function atomicCreate(target: string, bytes: Buffer): void {
  const tmp = writeTemp(target, bytes);
  try {
    linkSync(tmp, target);
  } catch (error) {
    unlinkQuietly(tmp);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LatchkeyError(
        'VAULT_EXISTS',
        `a vault already exists at ${target}; Latchkey never overwrites one`,
      );
    }
    throw storageError(`creating ${target}`, error);
  }
  unlinkQuietly(tmp);
  fsyncDir(dirname(target));
}

function keepBackup(target: string, backup: string): void {
  const staged = tempPath(backup);
  try {
    linkSync(target, staged);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // nothing to back up yet
    // File systems without hard links: copy instead.
    try {
      copyFileSync(target, staged, constants.COPYFILE_EXCL);
      const fd = openSync(staged, constants.O_RDONLY);
      fsyncSync(fd);
      closeSync(fd);
    } catch (copyError) {
      unlinkQuietly(staged);
      throw storageError(`keeping the previous generation at ${backup}`, copyError);
    }
  }
  try {
    renameSync(staged, backup);
  } catch (error) {
    unlinkQuietly(staged);
    throw storageError(`keeping the previous generation at ${backup}`, error);
  }
}

const TEMP_NAME = /^\.[^/]+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes temp files left by writers that died mid-save (their pid is gone). They never hold a
 * generation anyone needs: the rename either happened (the target has it) or did not.
 */
export function removeAbandonedTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    unlinkQuietly(join(dir, name));
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

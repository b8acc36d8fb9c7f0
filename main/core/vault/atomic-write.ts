/**
 * Crash-safe replacement of a file: temp file in the same directory (exclusive create, 0600) →
 * write → fsync → read back and compare → keep the old file as the backup (a hard link) → rename
 * over the target → fsync the directory. A crash at any instant leaves the old or the new file
 * under the target name, never neither and never a mix.
 *
 * The content is given as chunks and written with asynchronous I/O, yielding to the event loop
 * between batches, so an agent serving its socket never stalls on a save of a large vault.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LatchkeyError } from '../errors';
import { storageError } from './private-paths';

/** Test hook: called with the name of each step; a test process may die there (SIGKILL) on purpose. */
export type StepHook = (step: 'temp-written' | 'backup-linked' | 'renamed' | 'dir-synced') => void;

/** Lets other work run between slices of a long job. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Synchronous work allowed per turn of the event loop, shared by every sliced job. */
const TURN_BUDGET_MS = 3;
let turnStarted = performance.now();
let nextTurn: Promise<void> | undefined;

/** Whether this turn's budget is spent: then the caller should `await pace()` before going on. */
export function turnSpent(): boolean {
  return performance.now() - turnStarted >= TURN_BUDGET_MS;
}

/**
 * Waits, when this turn's budget is spent, until a turn with budget left. Every sliced job (a
 * sync's plan and apply, a save) shares the one budget: jobs that pause together resume on one
 * immediate, and those that find the budget spent again wait for the next turn, so concurrent
 * jobs cannot add their slices up into one long stall.
 */
export async function pace(): Promise<void> {
  while (turnSpent()) {
    nextTurn ??= new Promise((resolve) =>
      setImmediate(() => {
        nextTurn = undefined;
        turnStarted = performance.now();
        resolve();
      }),
    );
    await nextTurn;
  }
}

/** How much is written (and hashed) between two yields. */
const SLICE_BYTES = 1024 * 1024;

function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** SHA-256 of chunks, yielding between slices. */
async function digestChunks(chunks: readonly Buffer[]): Promise<Buffer> {
  const hash = createHash('sha256');
  let since = 0;
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
      hash.update(chunk.subarray(at, at + SLICE_BYTES));
      since += Math.min(SLICE_BYTES, chunk.length - at);
      if (since >= SLICE_BYTES) {
        since = 0;
        await yieldToLoop();
      }
    }
  }
  return hash.digest();
}

async function writeTemp(target: string, chunks: readonly Buffer[]): Promise<string> {
  const tmp = tempPath(target);
  let handle;
  try {
    handle = await open(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
  } catch (error) {
    throw storageError(`creating a temporary file next to ${target}`, error);
  }
  try {
    let batch: Buffer[] = [];
    let size = 0;
    for (const chunk of chunks) {
      batch.push(chunk);
      size += chunk.length;
      if (size >= SLICE_BYTES || batch.length >= 512) {
        await writeBatch(handle, batch);
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) await writeBatch(handle, batch);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw storageError(`writing ${target}`, error);
  }
  await handle.close();
  let back: Buffer;
  try {
    back = await readFile(tmp);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw storageError(`reading back ${tmp}`, error);
  }
  const [written, read] = [await digestChunks(chunks), await digestChunks([back])];
  if (!written.equals(read)) {
    await unlink(tmp).catch(() => undefined);
    throw new LatchkeyError(
      'STORAGE_FAILED',
      `the data read back from ${tmp} differs from what was written; the vault on disk was not changed`,
    );
  }
  return tmp;
}

async function writeBatch(handle: import('node:fs/promises').FileHandle, batch: Buffer[]): Promise<void> {
  let pending = batch;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    // Short writes are legal: drop what went out and write the rest.
    let left = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of pending) {
      if (left >= b.length) left -= b.length;
      else {
        rest.push(b.subarray(left));
        left = 0;
      }
    }
    pending = rest;
  }
}

/** fsync a directory so a rename or link in it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
    if (process.platform !== 'win32') throw storageError(`syncing ${dir}`, error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Replaces `target` with the chunks, keeping the previous content at `backup` when there was one. */
export async function atomicReplace(
  target: string,
  chunks: readonly Buffer[],
  backup?: string,
  hook?: StepHook,
): Promise<void> {
  const dir = dirname(target);
  const tmp = await writeTemp(target, chunks);
  hook?.('temp-written');
  try {
    if (backup !== undefined) keepBackup(target, backup);
    hook?.('backup-linked');
    await rename(tmp, target);
    hook?.('renamed');
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error instanceof LatchkeyError ? error : storageError(`replacing ${target}`, error);
  }
  await fsyncDir(dir);
  hook?.('dir-synced');
}

/** Creates `target` with the chunks, failing with VAULT_EXISTS if it exists (never overwrites). */
export async function atomicCreate(target: string, chunks: readonly Buffer[]): Promise<void> {
  const tmp = await writeTemp(target, chunks);
  try {
    linkSync(tmp, target);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LatchkeyError(
        'VAULT_EXISTS',
        `a vault already exists at ${target}; Latchkey never overwrites one`,
      );
    }
    throw storageError(`creating ${target}`, error);
  }
  await unlink(tmp).catch(() => undefined);
  await fsyncDir(dirname(target));
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
    // A rename within one directory: atomic, and cheap enough to stay synchronous.
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

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

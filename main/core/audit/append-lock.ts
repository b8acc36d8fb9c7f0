/**
 * A cross-process lock around "find the chain's head, write the next line", so two processes (two
 * `latchkey run`s, the agent and the CLI) never both write seq N+1 — a fork would look exactly like
 * tampering. Synchronous and held for microseconds: holding it is having created the hard link
 * `audit.lock.held` to the empty file `audit.lock` (link+unlink cost a few microseconds, a tenth of
 * creating and deleting a file). Where hard links are not supported, `audit.lock.held` is created
 * with O_EXCL instead.
 *
 * A holder that dies (SIGKILL) inside the few microseconds leaves the link behind. Every link or
 * unlink by anyone updates the inode's ctime, so a link whose ctime is older than STALE_MS means
 * nobody has taken or released the lock for that long: it is removed and the race starts again.
 */
import { closeSync, constants, linkSync, lstatSync, openSync, unlinkSync } from 'node:fs';
import { LatchkeyError } from '../errors';
import { auditFailure, type AuditPaths } from './audit-files';

const STALE_MS = 1000;
const WAIT_MS = 3000;
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(SLEEP_CELL, 0, 0, ms);
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
let useExclusiveCreate = false;

function createTemplate(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o600));
  } catch (error) {
    if (errno(error) === 'ELOOP') {
      throw new LatchkeyError(
        'UNSAFE_PATH',
        `${path} is a symbolic link; remove it so Latchkey can recreate it`,
      );
    }
    throw auditFailure(`creating ${path}`, error);
  }
}

/** One attempt: true when the lock is now ours. */
function tryTake(paths: AuditPaths): boolean {
  if (useExclusiveCreate) {
    try {
      closeSync(
        openSync(
          paths.lockHeld,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
          0o600,
        ),
      );
      return true;
    } catch (error) {
      if (errno(error) === 'EEXIST') return false;
      throw auditFailure(`taking the audit lock ${paths.lockHeld}`, error);
    }
  }
  try {
    linkSync(paths.lock, paths.lockHeld);
    return true;
  } catch (error) {
    const code = errno(error);
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      createTemplate(paths.lock);
      return tryTake(paths);
    }
    if (code !== undefined && NO_HARD_LINKS.has(code)) {
      useExclusiveCreate = true;
      return tryTake(paths);
    }
    throw auditFailure(`taking the audit lock ${paths.lockHeld}`, error);
  }
}

function removeIfStale(path: string): void {
  try {
    if (Date.now() - lstatSync(path).ctimeMs > STALE_MS) unlinkSync(path);
  } catch {
    /* released meanwhile */
  }
}

/**
 * Runs `critical` holding the audit lock of a data directory. Throws AUDIT_FAILED when another
 * process keeps it for longer than a few seconds (it only ever holds it for microseconds).
 */
export function withAuditLock<T>(paths: AuditPaths, critical: () => T): T {
  const deadline = Date.now() + WAIT_MS;
  for (let attempt = 0; !tryTake(paths); attempt++) {
    if (Date.now() > deadline) {
      throw new LatchkeyError(
        'AUDIT_FAILED',
        `the audit log is locked by another process (${paths.lockHeld}); the operation was refused because it could not be recorded — try again`,
      );
    }
    removeIfStale(paths.lockHeld);
    sleep(attempt < 10 ? 0.05 : 1);
  }
  try {
    return critical();
  } finally {
    try {
      unlinkSync(paths.lockHeld);
    } catch {
      /* broken as stale by someone else: nothing to release */
    }
  }
}

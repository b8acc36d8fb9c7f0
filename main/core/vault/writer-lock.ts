/**
 * One writer at a time. The lock is a file created with O_EXCL holding the owner's pid and the
 * process start time (so a recycled pid is not mistaken for the owner). A lock whose owner is gone
 * is stale and taken over; a live owner makes the second writer fail with VAULT_BUSY.
 */
import { constants, closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LatchkeyError } from '../errors';
import { storageError } from './private-paths';

interface LockOwner {
  pid: number;
  start: string;
  host: string;
}

/** Start time of a process from /proc (Linux); empty elsewhere. */
function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) comes after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot tell: assume alive
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(owner.pid);
  return start === '' || owner.start === '' || start === owner.start;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (
      typeof parsed.pid === 'number' &&
      typeof parsed.start === 'string' &&
      typeof parsed.host === 'string'
    ) {
      return parsed as LockOwner;
    }
  } catch {
    /* unreadable or half-written: treated below */
  }
  return undefined;
}

export interface WriterLock {
  release(): void;
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw storageError(`creating the lock ${path}`, error);
  }
  try {
    writeSync(fd, content);
    closeSync(fd);
  } catch (error) {
    // A lock we could not fill (disk full) must not be left behind to block the next writer.
    closeSync(fd);
    removeQuietly(path);
    throw storageError(`writing the lock ${path}`, error);
  }
  return true;
}

/**
 * Takes the writer lock, waiting up to `waitMs` for a live owner to finish. Throws VAULT_BUSY naming
 * the owner's pid when it does not.
 */
export async function acquireWriterLock(path: string, waitMs = 1500): Promise<WriterLock> {
  const me: LockOwner = { pid: process.pid, start: processStart(process.pid), host: hostname() };
  const content = JSON.stringify(me);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryCreate(path, content)) break;
    const owner = readOwner(path);
    if (owner === undefined && olderThan(path, 10_000)) {
      // Unreadable for ten seconds: its writer died between creating and filling it.
      removeQuietly(path);
      continue;
    }
    if (owner !== undefined && !isAlive(owner)) {
      // Stale: remove it only if it still holds what we read, then race for it again.
      if (readOwnerText(path) === JSON.stringify(owner)) removeQuietly(path);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = owner ? `process ${owner.pid}` : 'another process';
      throw new LatchkeyError(
        'VAULT_BUSY',
        `${who} is writing the vault; wait for it to finish and try again (if no Latchkey is running, remove ${path})`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  let held = true;
  const onExit = (): void => release();
  function release(): void {
    if (!held) return;
    held = false;
    process.removeListener('exit', onExit);
    try {
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      /* gone already */
    }
  }
  process.on('exit', onExit);
  return { release };
}

function readOwnerText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* someone else removed it */
  }
}

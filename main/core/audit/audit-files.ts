/**
 * The audit files of a data directory and how they are opened: real regular files of ours, mode
 * 0600, never through a symlink — the same rules as the vault (private-paths.ts), checked on the
 * open descriptor so the file cannot be swapped between check and use.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isLatchkeyError, LatchkeyError } from '../errors';
import { checkOwnerAndMode, checkPrivateDir } from '../vault/private-paths';

export interface AuditPaths {
  /** The hash-chained log. */
  readonly log: string;
  /** Events recorded without the key (failed unlocks), folded into the log at the next open. */
  readonly pending: string;
  /** An empty file; holding the append lock is having a hard link to it at `lockHeld`. */
  readonly lock: string;
  readonly lockHeld: string;
}

export function auditPaths(dir: string): AuditPaths {
  return {
    log: join(dir, 'audit.log'),
    pending: join(dir, 'audit.pending'),
    lock: join(dir, 'audit.lock'),
    lockHeld: join(dir, 'audit.lock.held'),
  };
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

function hint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full — free some space and try again';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied — check the data directory belongs to you';
    default:
      return code ?? (error instanceof Error ? error.message : 'I/O error');
  }
}

/** Wraps a file-system error in AUDIT_FAILED: the operation being audited must not go ahead. */
export function auditFailure(doing: string, error: unknown): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  return new LatchkeyError(
    'AUDIT_FAILED',
    `${doing} failed: ${hint(error)}; the operation was refused because it could not be recorded`,
    { cause: error },
  );
}

function unsafe(message: string): LatchkeyError {
  return new LatchkeyError('UNSAFE_PATH', message);
}

/** Checks the data directory exists and is private (UNSAFE_PATH otherwise). */
export function checkAuditDir(dir: string): void {
  try {
    checkPrivateDir(dir);
  } catch (error) {
    throw auditFailure(`opening the data directory ${dir}`, error);
  }
}

/** Refuses a descriptor that is not a regular file of ours with mode 0600 or stricter. */
export function checkOpenFile(fd: number, path: string): Stats {
  const st = fstatSync(fd);
  if (!st.isFile()) throw unsafe(`${path} is not a regular file; move it away`);
  checkOwnerAndMode(path, st, 'file');
  return st;
}

/**
 * Opens a private file: for appending (created 0600 when `create`), or read-only. Returns undefined
 * when it does not exist and is not to be created. Refuses symlinks and anything not private.
 */
export function openPrivate(path: string, mode: 'append' | 'read', create: boolean): number | undefined {
  const flags =
    (mode === 'append' ? constants.O_RDWR | constants.O_APPEND : constants.O_RDONLY) |
    (create ? constants.O_CREAT : 0) |
    NOFOLLOW |
    NONBLOCK;
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !create) return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') {
      throw unsafe(`${path} is a symbolic link; Latchkey only uses a real file there — remove the link`);
    }
    throw auditFailure(`opening ${path}`, error);
  }
  try {
    checkOpenFile(fd, path);
  } catch (error) {
    closeSync(fd);
    throw auditFailure(`checking ${path}`, error);
  }
  return fd;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let at = 0;
  while (at < length) {
    const n = readSync(fd, buf, at, length - at, position + at);
    if (n === 0) break;
    at += n;
  }
  return at === length ? buf : buf.subarray(0, at);
}

export interface RawLine {
  /** 1-based line number. */
  readonly number: number;
  /** The line without its "\n" (at most MAX_LINE_BYTES + 1 bytes are kept of an overlong one). */
  readonly bytes: Buffer;
  /** False for a last line with no "\n" after it (a write cut short). */
  readonly complete: boolean;
}

/**
 * The lines of a file from `start`, read in chunks so a long log never sits in memory whole.
 * Lines longer than `maxBytes` are yielded cut to `maxBytes + 1` bytes (so they stay recognisable
 * as too long) and the rest of them skipped.
 */
export function* readLines(fd: number, maxBytes: number, start = 0): Generator<RawLine> {
  const chunkSize = 256 * 1024;
  let position = start;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  for (;;) {
    const chunk = readAt(fd, position, chunkSize);
    if (chunk.length === 0) break;
    position += chunk.length;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl === -1 ? chunk.length : nl;
      if (pendingBytes <= maxBytes) {
        const piece = chunk.subarray(from, Math.min(end, from + maxBytes + 1 - pendingBytes));
        pending.push(Buffer.from(piece));
        pendingBytes += piece.length;
      }
      if (nl === -1) break;
      yield { number: ++number, bytes: Buffer.concat(pending), complete: true };
      pending = [];
      pendingBytes = 0;
      from = nl + 1;
    }
  }
  if (pendingBytes > 0) yield { number: number + 1, bytes: Buffer.concat(pending), complete: false };
}

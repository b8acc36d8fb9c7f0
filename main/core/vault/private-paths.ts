/**
 * Our data lives only in a real directory and real files that belong to us and nobody else can
 * read. Anything else — a symlink, a FIFO, a group- or world-accessible mode, another owner — is
 * refused with a sentence that says how to fix it, never silently "repaired".
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  type Stats,
} from 'node:fs';
import { LatchkeyError } from '../errors';

const POSIX = process.platform !== 'win32';

function unsafe(message: string): LatchkeyError {
  return new LatchkeyError('UNSAFE_PATH', message);
}

/** Refuses a path that is not ours, or that group or others may access (UNSAFE_PATH). */
export function checkOwnerAndMode(path: string, st: Stats, kind: 'directory' | 'file'): void {
  if (!POSIX) return;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw unsafe(
      `${path} belongs to uid ${st.uid}, not to you (uid ${uid}); Latchkey only uses its own files — move it away`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    const fix = kind === 'directory' ? '700' : '600';
    throw unsafe(
      `${path} can be accessed by other users (mode ${mode}); run 'chmod ${fix} ${path}' and try again`,
    );
  }
}

/** Creates the data directory 0700 when missing; refuses an existing one that is not private. */
export function ensurePrivateDir(dir: string): void {
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(`reading ${dir}`, error);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (mkdirError) {
      throw storageError(`creating ${dir}`, mkdirError);
    }
    st = lstatSync(dir);
  }
  if (st.isSymbolicLink()) {
    throw unsafe(
      `${dir} is a symbolic link; point LATCHKEY_HOME at the real directory, or replace the link with a directory`,
    );
  }
  if (!st.isDirectory())
    throw unsafe(`${dir} is not a directory; move it away so Latchkey can create its data directory`);
  checkOwnerAndMode(dir, st, 'directory');
}

/** Checks an existing directory without creating it. */
export function checkPrivateDir(dir: string): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) {
    throw unsafe(
      `${dir} is a symbolic link; point LATCHKEY_HOME at the real directory, or replace the link with a directory`,
    );
  }
  if (!st.isDirectory()) throw unsafe(`${dir} is not a directory`);
  checkOwnerAndMode(dir, st, 'directory');
}

/**
 * Reads a private regular file whole, refusing symlinks (O_NOFOLLOW), other kinds of file, foreign
 * owners, open modes and files larger than `maxBytes` (with `headOnly`, reads just the first
 * `maxBytes` bytes instead). The checks are made on the open descriptor,
 * so the file cannot be swapped between check and read. Returns undefined when it does not exist.
 */
export function readPrivateFile(path: string, maxBytes: number, headOnly = false): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || lstatIsLink(path)) {
      throw unsafe(`${path} is a symbolic link; Latchkey only reads a real file there — remove the link`);
    }
    throw storageError(`opening ${path}`, error);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw unsafe(`${path} is not a regular file; move it away`);
    checkOwnerAndMode(path, st, 'file');
    if (st.size > maxBytes && !headOnly) {
      throw new LatchkeyError(
        'VAULT_CORRUPT',
        `${path} is ${st.size} bytes, larger than any vault can be; it is not a vault`,
      );
    }
    const size = Math.min(st.size, maxBytes);
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

function lstatIsLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Wraps a file-system error in STORAGE_FAILED with a sentence a person can act on. */
export function storageError(doing: string, error: unknown): LatchkeyError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full — free some space and try again'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied — check the data directory belongs to you'
          : `${code ?? 'I/O error'}`;
  return new LatchkeyError('STORAGE_FAILED', `${doing} failed: ${hint}; the vault on disk was not changed`, {
    cause: error,
  });
}

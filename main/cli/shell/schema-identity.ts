/**
 * Which latchkey.yml governs a directory, and its identity for the allow list: the file's path with
 * its directory resolved (so a symlinked checkout and its real path are one repo) and the SHA-256
 * of its exact bytes. The shell hook runs this on every directory change into a repo, so it must
 * not load the YAML parser (about 40 ms): it applies the same rules as core/project's findSchema
 * and loadSchema — nearest `latchkey.yml` or `.latchkey.yml`, never through a symbolic link, a
 * regular file of at most MAX_SCHEMA_BYTES — and test/unit/shell-allow-list.test.ts holds the two
 * to the same answers.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LatchkeyError } from '../../core/errors';

/** Same as core/project's SCHEMA_FILE_NAMES and MAX_SCHEMA_BYTES (checked by a test). */
export const SCHEMA_NAMES = ['latchkey.yml', '.latchkey.yml'] as const;
export const SCHEMA_MAX_BYTES = 256 * 1024;

export interface SchemaIdentity {
  /** The schema file as found from the directory. */
  readonly path: string;
  /** The key in the allow list: the real directory joined to the file name. */
  readonly key: string;
  /** SHA-256 (hex) of the file's bytes, as core/project's `schemaHash`. */
  readonly hash: string;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new LatchkeyError('STORAGE_FAILED', `reading ${path}: ${code ?? 'I/O error'}`, { cause: error });
  }
}

function refuseUnlessRegular(path: string, stats: Stats): void {
  if (stats.isSymbolicLink()) {
    throw new LatchkeyError(
      'UNSAFE_PATH',
      `${path} is a symbolic link; Latchkey reads a schema only from a regular file in the repo — replace the link with the file`,
    );
  }
  if (!stats.isFile()) {
    throw new LatchkeyError('UNSAFE_PATH', `${path} is not a regular file; a schema must be a plain file`);
  }
}

/** The nearest schema file at or above `startDir`, or undefined (findSchema's rules). */
export function locateSchema(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const found: string[] = [];
    for (const name of SCHEMA_NAMES) {
      const path = join(dir, name);
      const stats = lstatOrUndefined(path);
      if (stats === undefined) continue;
      refuseUnlessRegular(path, stats);
      found.push(path);
    }
    if (found.length > 1) {
      throw new LatchkeyError(
        'SCHEMA_INVALID',
        `${dir} holds both ${SCHEMA_NAMES.join(' and ')}; keep one so every tool reads the same schema`,
      );
    }
    if (found[0] !== undefined) return found[0];
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The allow-list key of a schema path: its directory resolved through symlinks, then its name. */
export function schemaKey(path: string): string {
  const absolute = resolve(path);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute; // the directory is gone: the path as given is all there is to match
  }
}

/** Reads the schema at `path` (never through a final symlink, at most SCHEMA_MAX_BYTES) and names it. */
export function identifySchema(path: string): SchemaIdentity {
  const absolute = resolve(path);
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LatchkeyError('SCHEMA_NOT_FOUND', `${absolute} does not exist`);
    if (code === 'ELOOP') refuseUnlessRegular(absolute, lstatSync(absolute));
    throw new LatchkeyError('STORAGE_FAILED', `reading ${absolute}: ${code ?? 'I/O error'}`, {
      cause: error,
    });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new LatchkeyError(
        'UNSAFE_PATH',
        `${absolute} is not a regular file; a schema must be a plain file`,
      );
    }
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(64 * 1024);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > SCHEMA_MAX_BYTES) {
        throw new LatchkeyError(
          'SCHEMA_INVALID',
          `${absolute}: is larger than ${SCHEMA_MAX_BYTES / 1024} KiB, the most latchkey.yml may be`,
        );
      }
      hash.update(buffer.subarray(0, n));
    }
    return { path: absolute, key: schemaKey(absolute), hash: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/** The directory to search from for `latchkey allow [dir]`: the argument (or its directory, when it names a file), else cwd. */
export function startDirectory(arg: string | undefined): string {
  if (arg === undefined) return process.cwd();
  const absolute = resolve(arg);
  try {
    if (lstatSync(absolute).isFile()) return dirname(absolute);
  } catch {
    /* not there: searched from as given */
  }
  return absolute;
}

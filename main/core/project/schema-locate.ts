/**
 * Finding a repo's latchkey.yml and reading its bytes — without the YAML parser, so the shell hook
 * and `run`'s plan cache can use the very same rules cheaply. Only a regular file is read, never
 * through a symbolic link: a link could make an allowed repo's schema silently become another
 * file, and a FIFO or device could hang or flood the reader.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LatchkeyError } from '../errors';

/** The largest latchkey.yml read. */
export const MAX_SCHEMA_BYTES = 256 * 1024;

/** The names a schema may have, in the order they are looked for. */
export const SCHEMA_FILE_NAMES = ['latchkey.yml', '.latchkey.yml'] as const;

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function storageFailed(path: string, error: unknown): LatchkeyError {
  return new LatchkeyError('STORAGE_FAILED', `reading ${path}: ${errnoOf(error) ?? String(error)}`, {
    cause: error,
  });
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw storageFailed(path, error);
  }
}

export function refuseUnlessRegular(path: string, stats: Stats): void {
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

/**
 * The absolute path of the schema that governs `startDir`: `latchkey.yml` (or `.latchkey.yml`) in
 * `startDir` or the nearest directory above it, up to the filesystem root; undefined when there is
 * none. Throws UNSAFE_PATH when the nearest one is a symbolic link or not a regular file (it is
 * reported, not skipped, so a link cannot hide a schema further up), SCHEMA_INVALID when one
 * directory holds both names, and STORAGE_FAILED when a directory cannot be examined.
 */
export function findSchema(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const found: string[] = [];
    for (const name of SCHEMA_FILE_NAMES) {
      const path = join(dir, name);
      const stats = lstatOrUndefined(path);
      if (stats === undefined) continue;
      refuseUnlessRegular(path, stats);
      found.push(path);
    }
    if (found.length > 1) {
      throw new LatchkeyError(
        'SCHEMA_INVALID',
        `${dir} holds both ${SCHEMA_FILE_NAMES.join(' and ')}; keep one so every tool reads the same schema`,
      );
    }
    if (found[0] !== undefined) return found[0];
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads at most MAX_SCHEMA_BYTES + 1 bytes of a regular file without following a final symlink. */
export function readSchemaBytes(path: string): Buffer {
  const before = lstatOrUndefined(path);
  if (before === undefined) {
    throw new LatchkeyError(
      'SCHEMA_NOT_FOUND',
      `${path} does not exist; create a latchkey.yml (see docs/latchkey-yml.md)`,
    );
  }
  refuseUnlessRegular(path, before);
  // O_NOFOLLOW closes the gap between lstat and open; O_NONBLOCK keeps a swapped-in FIFO from
  // blocking the open. Neither exists on Windows, where the lstat above is the check.
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') throw new LatchkeyError('SCHEMA_NOT_FOUND', `${path} does not exist`);
    if (code === 'ELOOP') refuseUnlessRegular(path, lstatSync(path));
    throw storageFailed(path, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      throw new LatchkeyError('UNSAFE_PATH', `${path} is not a regular file; a schema must be a plain file`);
    if (stats.size > MAX_SCHEMA_BYTES) {
      throw new LatchkeyError(
        'SCHEMA_INVALID',
        `${path}: is ${stats.size} bytes; latchkey.yml may be at most ${MAX_SCHEMA_BYTES / 1024} KiB`,
      );
    }
    const buffer = Buffer.alloc(MAX_SCHEMA_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_SCHEMA_BYTES) {
      throw new LatchkeyError(
        'SCHEMA_INVALID',
        `${path}: grew past ${MAX_SCHEMA_BYTES / 1024} KiB while being read`,
      );
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof LatchkeyError) throw error;
    throw storageFailed(path, error);
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 (hex) of a schema's bytes, as stored in ProjectSchema.hash and in the allow list. */
export function schemaHash(bytes: Uint8Array): string {
  // Loaded here, not at the top: `latchkey run` reads schemas through this module on every start
  // and needs no hash while its plan cache is valid, and loading node:crypto costs about 1 ms.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

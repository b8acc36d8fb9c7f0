/**
 * Finding and reading a repo's latchkey.yml on disk. Only a regular file is read, never through a
 * symbolic link: a link could make an allowed repo's schema silently become another file, and a
 * FIFO or device could hang or flood the reader.
 */
import { resolve } from 'node:path';
import { LatchkeyError } from '../errors';
import { parseSchemaText, type ProjectSchema } from './schema';
import { readSchemaBytes, schemaHash } from './schema-locate';

export { findSchema, SCHEMA_FILE_NAMES } from './schema-locate';
import { SchemaSource } from './yaml-source';

/** Decodes strict UTF-8, naming the first line that is not. */
function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (;;) {
      const end = bytes.indexOf(0x0a, start);
      try {
        decoder.decode(bytes.subarray(start, end === -1 ? bytes.length : end));
      } catch {
        break;
      }
      if (end === -1) break;
      start = end + 1;
      line++;
    }
    throw new LatchkeyError(
      'SCHEMA_INVALID',
      `${new SchemaSource(path).where(line)}is not valid UTF-8 text (a binary file?); latchkey.yml must be plain UTF-8 text`,
    );
  }
}

/**
 * Reads and validates the schema at `path` (see parseSchema); `hash` is the SHA-256 of the exact
 * bytes read. Throws SCHEMA_NOT_FOUND when there is no file, UNSAFE_PATH for a symbolic link or a
 * non-regular file, SCHEMA_INVALID for a file over 256 KiB, not UTF-8, or invalid, and
 * STORAGE_FAILED when it cannot be read.
 */
export function loadSchema(path: string): ProjectSchema {
  const absolute = resolve(path);
  const bytes = readSchemaBytes(absolute);
  const text = decodeUtf8(bytes, path);
  return parseSchemaText(text, path, absolute, schemaHash(bytes));
}

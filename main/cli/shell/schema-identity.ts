/**
 * Which latchkey.yml governs a directory, and its identity for the allow list: the file's path with
 * its directory resolved (so a symlinked checkout and its real path are one repo) and the SHA-256
 * of its exact bytes. The shell hook runs this on every directory change into a repo, so it must
 * not load the YAML parser (about 40 ms): it uses core/project's schema-locate (findSchema and readSchemaBytes, the very rules
 * loadSchema applies) without the parser.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  findSchema,
  MAX_SCHEMA_BYTES,
  readSchemaBytes,
  SCHEMA_FILE_NAMES,
  schemaHash,
} from '../../core/project/schema-locate';

/** core/project's names and size limit, under the names this module always exported. */
export const SCHEMA_NAMES = SCHEMA_FILE_NAMES;
export const SCHEMA_MAX_BYTES = MAX_SCHEMA_BYTES;

export interface SchemaIdentity {
  /** The schema file as found from the directory. */
  readonly path: string;
  /** The key in the allow list: the real directory joined to the file name. */
  readonly key: string;
  /** SHA-256 (hex) of the file's bytes, as core/project's `schemaHash`. */
  readonly hash: string;
}

/** The nearest schema file at or above `startDir`, or undefined (findSchema itself). */
export const locateSchema = findSchema;

/** The allow-list key of a schema path: its directory resolved through symlinks, then its name. */
export function schemaKey(path: string): string {
  const absolute = resolve(path);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute; // the directory is gone: the path as given is all there is to match
  }
}

/** Reads the schema at `path` (never through a final symlink, at most MAX_SCHEMA_BYTES) and names it. */
export function identifySchema(path: string): SchemaIdentity {
  const absolute = resolve(path);
  const bytes = readSchemaBytes(absolute);
  return { path: absolute, key: schemaKey(absolute), hash: schemaHash(bytes) };
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

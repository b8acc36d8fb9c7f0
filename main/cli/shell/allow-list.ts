/**
 * The repos whose latchkey.yml the shell hook may act on: `allowed.json` in the data directory, a
 * private file (0600, ours, never a symlink) replaced atomically. Each entry pins a schema by its
 * path and the SHA-256 of its bytes and keeps what `latchkey allow` showed the user — variable
 * names and refs for the default environment, never values — so the hook exports exactly what was
 * reviewed, and a schema whose bytes changed is not acted on until it is allowed again.
 *
 * The file is validated whole when read: anything unexpected is an error that says how to recover,
 * never a partial list.
 */
import { isAbsolute, join } from 'node:path';
import { LatchkeyError } from '../../core/errors';
import { dataDir } from '../../core/vault/paths';
import { readPrivateFile } from '../../core/vault/private-paths';
import { shellRefusal } from './shell-variables';

export const ALLOW_LIST_VERSION = 1;
/** Generous bounds; anything past them is not a list Latchkey wrote. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_ENTRIES = 10_000;
const MAX_VARIABLES = 500;
const MAX_PATH = 4096;

export interface AllowedVariable {
  readonly name: string;
  /** `lk://project/environment/item/field`, resolved for the entry's environment. */
  readonly ref: string;
  /** Required in that environment (a missing optional one is skipped quietly). */
  readonly required: boolean;
}

export interface AllowedSchema {
  /** The schema's key (schema-identity.ts: real directory + file name). */
  readonly path: string;
  /** SHA-256 (hex) of the allowed bytes. */
  readonly hash: string;
  readonly allowedAt: string;
  readonly project: string;
  readonly environment: 'development' | 'staging';
  readonly variables: readonly AllowedVariable[];
}

export function allowListPath(env: NodeJS.ProcessEnv): string {
  return join(dataDir(env), 'allowed.json');
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const REF =
  /^lk:\/\/[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\/(development|staging)\/[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HASH = /^[0-9a-f]{64}$/;
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}

function hasExactKeys(v: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(v, k));
}

function parseVariable(v: unknown, env: string): AllowedVariable {
  if (!isPlainObject(v) || !hasExactKeys(v, ['name', 'ref', 'required']))
    throw new Error('a variable is malformed');
  const { name, ref, required } = v;
  if (typeof name !== 'string' || !NAME.test(name) || shellRefusal(name) !== undefined) {
    throw new Error('a variable name is not one the hook may set');
  }
  if (typeof ref !== 'string' || !REF.test(ref) || ref.split('/')[3] !== env) {
    throw new Error(`the ref of ${name} is malformed or not in the entry's environment`);
  }
  if (typeof required !== 'boolean') throw new Error(`'required' of ${name} is not true or false`);
  return { name, ref, required };
}

function parseEntry(e: unknown): AllowedSchema {
  const keys = ['path', 'hash', 'allowedAt', 'project', 'environment', 'variables'];
  if (!isPlainObject(e) || !hasExactKeys(e, keys)) throw new Error('an entry is malformed');
  const { path, hash, allowedAt, project, environment, variables } = e;
  if (typeof path !== 'string' || !isAbsolute(path) || path.length > MAX_PATH || path.includes('\0')) {
    throw new Error('an entry has no absolute path');
  }
  if (typeof hash !== 'string' || !HASH.test(hash)) throw new Error(`the hash for ${path} is malformed`);
  if (typeof allowedAt !== 'string' || Number.isNaN(Date.parse(allowedAt))) {
    throw new Error(`the time ${path} was allowed is malformed`);
  }
  if (typeof project !== 'string' || !PROJECT.test(project))
    throw new Error(`the project of ${path} is malformed`);
  if (environment !== 'development' && environment !== 'staging') {
    throw new Error(`the environment of ${path} is neither development nor staging`);
  }
  if (!Array.isArray(variables) || variables.length > MAX_VARIABLES) {
    throw new Error(`the variables of ${path} are malformed`);
  }
  const parsed = variables.map((v) => parseVariable(v, environment));
  if (new Set(parsed.map((v) => v.name)).size !== parsed.length)
    throw new Error(`${path} names a variable twice`);
  return { path, hash, allowedAt, project, environment, variables: parsed };
}

/** Parses and validates the bytes of an allow list; throws STORAGE_FAILED naming the first problem. */
export function parseAllowList(bytes: Uint8Array, file: string): AllowedSchema[] {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const doc: unknown = JSON.parse(text);
    if (!isPlainObject(doc) || !hasExactKeys(doc, ['version', 'allowed']))
      throw new Error('it is not an allow list');
    if (doc.version !== ALLOW_LIST_VERSION) throw new Error(`its version is not ${ALLOW_LIST_VERSION}`);
    if (!Array.isArray(doc.allowed) || doc.allowed.length > MAX_ENTRIES)
      throw new Error("'allowed' is not a list");
    const entries = doc.allowed.map(parseEntry);
    if (new Set(entries.map((e) => e.path)).size !== entries.length)
      throw new Error('a path is listed twice');
    return entries;
  } catch (error) {
    const why =
      error instanceof SyntaxError ? 'it is not JSON' : error instanceof Error ? error.message : 'unreadable';
    throw new LatchkeyError(
      'STORAGE_FAILED',
      `${file} is not a valid allow list (${why.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}); move it away and run 'latchkey allow' again in each repo you trust`,
    );
  }
}

/** The allowed schemas; empty when there is no list yet. */
export function readAllowList(env: NodeJS.ProcessEnv): AllowedSchema[] {
  const file = allowListPath(env);
  const bytes = readPrivateFile(file, MAX_FILE_BYTES + 1, true);
  if (bytes === undefined) return [];
  if (bytes.length > MAX_FILE_BYTES)
    throw new LatchkeyError('STORAGE_FAILED', `${file} is too large to be an allow list`);
  return parseAllowList(bytes, file);
}

/** The text written for `entries` (sorted by path, so the file diffs cleanly). */
export function formatAllowList(entries: readonly AllowedSchema[]): string {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `${JSON.stringify({ version: ALLOW_LIST_VERSION, allowed: sorted }, null, 2)}\n`;
}

/** Replaces the allow list atomically (0600, in the private data directory). */
export async function writeAllowList(
  env: NodeJS.ProcessEnv,
  entries: readonly AllowedSchema[],
): Promise<void> {
  const { ensurePrivateDir } =
    require('../../core/vault/private-paths') as typeof import('../../core/vault/private-paths');
  const { atomicReplace } =
    require('../../core/vault/atomic-write') as typeof import('../../core/vault/atomic-write');
  ensurePrivateDir(dataDir(env));
  const text = formatAllowList(entries);
  parseAllowList(Buffer.from(text, 'utf8'), allowListPath(env)); // never write what we would refuse to read
  await atomicReplace(allowListPath(env), [Buffer.from(text, 'utf8')]);
}

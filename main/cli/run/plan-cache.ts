/**
 * Which variables `latchkey run` injects, remembered between runs. Working them out
 * (`planVariables`: the YAML parser, every name and ref checked) costs more than the rest of `run`
 * put together, yet the answer only changes when the schema's bytes, the options, or Latchkey's
 * own code change. So the answer is kept in the data directory and reused while all three are the
 * same: the exact bytes are compared (not a timestamp), and the code is identified by a hash of
 * every compiled file the answer depends on, taken when `npm run build` bundles the run path (or,
 * unbundled, by the size and modification time of each of those files).
 *
 * Anything unusual — no schema, a symbolic link, both file names in one directory, an unreadable
 * cache — takes the slow path, where `planVariables` itself reports the problem. Only answers that
 * passed every check are cached; errors never are. The cache is a private directory (0700, files
 * 0600, ours), the same trust as the vault file beside it.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { findSchema, readSchemaBytes } from '../../core/project/schema-locate';
import { dataDir } from '../../core/vault/paths';

/** One variable to inject; `ref` is the canonical `lk://project/environment/item/field`. */
export interface PlannedVariable {
  readonly name: string;
  readonly ref: string;
  readonly required: boolean;
  readonly owner?: string;
  readonly rotateEveryMs?: number;
}

export interface RunPlan {
  /** The schema's project and absolute path, when the plan came from a latchkey.yml. */
  readonly project?: string;
  readonly schemaPath?: string;
  readonly environment?: string;
  readonly variables: readonly PlannedVariable[];
}

export interface PlanRequest {
  readonly cwd: string;
  readonly secrets: readonly string[];
  readonly environment?: string;
}

/**
 * In the bundle (scripts/bundle-run.mjs) this becomes a hash of every compiled file a plan depends
 * on, taken at build time, and stands in for the per-file fingerprint: one comparison instead of a
 * stat per file. Unbundled (launch.js) it stays the placeholder and the files are stat-ed.
 */
const BUILT_CODE_ID: string = '@@latchkey-plan-code-id@@';
const CODE_ID = BUILT_CODE_ID.startsWith('sha256:') ? BUILT_CODE_ID : undefined;

/** Bump when the entry's shape or meaning changes. */
const FORMAT = 1;
const MAX_ENTRIES = 200;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

interface CacheEntry {
  readonly format: number;
  readonly key: string;
  readonly schema?: string;
  /** The bundle's code id, or the size and modification time of each file (unbundled). */
  readonly code: string | readonly (readonly [string, number, number])[];
  readonly plan: RunPlan;
}

/** The run plan for these options: from the cache when it is still valid, else from planVariables. */
export function loadRunPlan(request: PlanRequest, env: NodeJS.ProcessEnv): RunPlan {
  let schemaPath: string | undefined;
  let bytes: Buffer | undefined;
  if (request.secrets.length === 0) {
    try {
      schemaPath = findSchema(request.cwd);
      bytes = schemaPath === undefined ? undefined : readSchemaBytes(schemaPath);
    } catch {
      bytes = undefined;
    }
    if (bytes === undefined) return computePlan(request).plan; // let planVariables explain
  }
  const key = JSON.stringify({
    secrets: request.secrets,
    environment: request.environment ?? null,
    schema: schemaPath ?? null,
  });
  const dir = join(dataDir(env), 'cache', 'run-plans');
  const file = join(dir, `${fingerprint(key)}.json`);
  const cached = readEntry(file);
  if (
    cached !== undefined &&
    cached.format === FORMAT &&
    cached.key === key &&
    (bytes === undefined ? cached.schema === undefined : cached.schema === bytes.toString('base64')) &&
    codeUnchanged(cached.code)
  ) {
    return cached.plan;
  }
  const { plan, schemaHash } = computePlan(request);
  // Cache only what planVariables read from the very bytes compared next time.
  if (bytes !== undefined && (plan.schemaPath !== schemaPath || schemaHash?.(bytes) !== true)) return plan;
  writeEntry(dir, file, {
    format: FORMAT,
    key,
    ...(bytes !== undefined ? { schema: bytes.toString('base64') } : {}),
    code: CODE_ID ?? codeFingerprint(),
    plan,
  });
  return plan;
}

/** The slow path: planVariables, turned into a plain, cacheable plan. */
function computePlan(request: PlanRequest): { plan: RunPlan; schemaHash?: (bytes: Buffer) => boolean } {
  const { planVariables } = require('../secret-source') as typeof import('../secret-source');
  const { formatFieldRef } = require('../../core/vault/ref') as typeof import('../../core/vault/ref');
  const planned = planVariables({
    cwd: request.cwd,
    secrets: request.secrets,
    ...(request.environment !== undefined ? { environment: request.environment } : {}),
  });
  const plan: RunPlan = {
    ...(planned.schema ? { project: planned.schema.project, schemaPath: planned.schema.path } : {}),
    ...(planned.environment ? { environment: planned.environment } : {}),
    variables: planned.variables.map((v) => ({
      name: v.name,
      ref: formatFieldRef(v.ref),
      required: v.required,
      ...(v.owner !== undefined ? { owner: v.owner } : {}),
      ...(v.rotateEveryMs !== undefined ? { rotateEveryMs: v.rotateEveryMs } : {}),
    })),
  };
  const hash = planned.schema?.hash;
  if (hash === undefined) return { plan };
  const { schemaHash } = require('../../core/project') as typeof import('../../core/project');
  return { plan, schemaHash: (bytes) => schemaHash(bytes) === hash };
}

/** A regular file's bytes (never through a final symlink), or undefined if anything is off. */
function readSmallFile(path: string, max: number, owned = false): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > max) return undefined;
    if (owned && process.getuid && (st.uid !== process.getuid() || (st.mode & 0o077) !== 0)) return undefined;
    const buf = Buffer.allocUnsafe(st.size + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) return undefined; // grew while we read: let the slow path see it
    }
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readEntry(file: string): CacheEntry | undefined {
  const bytes = readSmallFile(file, 4 * 1024 * 1024, true);
  if (bytes === undefined) return undefined;
  try {
    const entry = JSON.parse(bytes.toString('utf8')) as CacheEntry;
    return typeof entry === 'object' &&
      entry !== null &&
      (typeof entry.code === 'string' || Array.isArray(entry.code)) &&
      Array.isArray(entry.plan?.variables)
      ? entry
      : undefined;
  } catch {
    return undefined;
  }
}

/** A short, stable file name for a key (not a security boundary: the entry holds the full key). */
function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The compiled files a plan depends on: the schema, scope and ref code, secret-source, this file, yaml. */
function codeFingerprint(): [string, number, number][] {
  const root = resolve(__dirname, '..', '..'); // dist/main
  const prefixes = [join(root, 'core', 'project') + sep, join(root, 'core', 'scope') + sep];
  const singles = new Set([
    join(root, 'core', 'vault', 'ref.js'),
    join(root, 'core', 'errors.js'),
    join(root, 'cli', 'secret-source.js'),
    __filename,
  ]);
  try {
    singles.add(require.resolve('yaml'));
  } catch {
    /* not resolvable: the schema code could not have loaded either */
  }
  const files = Object.keys(require.cache).filter(
    (f) => singles.has(f) || prefixes.some((p) => f.startsWith(p)),
  );
  for (const f of singles) if (!files.includes(f)) files.push(f);
  return files.sort().map((f) => {
    const st = statSync(f);
    return [f, st.size, st.mtimeMs] as [string, number, number];
  });
}

function codeUnchanged(code: CacheEntry['code']): boolean {
  if (typeof code === 'string' || CODE_ID !== undefined) return code === CODE_ID;
  if (code.length === 0) return false;
  for (const [file, size, mtimeMs] of code) {
    const st = statSync(file, { throwIfNoEntry: false });
    if (st === undefined || st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

/** Best effort: a cache that cannot be written only costs the next run some time. */
function writeEntry(dir: string, file: string, entry: CacheEntry): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const data = dirname(dirname(dir));
    if (!lstatSync(data).isDirectory()) return; // no data directory yet: do not create one here
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (process.getuid && (st.uid !== process.getuid() || (st.mode & 0o077) !== 0)))
      return;
    const names = readdirSync(dir);
    if (names.length > MAX_ENTRIES) {
      for (const n of names) if (n.endsWith('.json')) unlinkSync(join(dir, n));
    }
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    try {
      writeFileSync(fd, JSON.stringify(entry));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
  }
}

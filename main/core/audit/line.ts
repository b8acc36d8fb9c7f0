/**
 * The bytes of one audit line and its MAC. See docs/audit.md for the specification.
 *
 * Canonical form of a line without its MAC: `JSON.stringify` (no whitespace; strings escaped as
 * ECMA-262 does; integers in plain decimal) of an object whose keys are, in this order and only
 * when present: seq, time, pending (only ever `true`), op, who{via, pid, exe, cwd, tty, uid}, ref,
 * version, result, reason, prev. The written line is that text with `,"mac":"<hex>"` inserted
 * before the closing brace, then "\n".
 *   mac  = hex(HMAC-SHA-256(auditKey, ascii(prev) || utf8(canonical form without mac)))
 *   prev = the previous line's mac; for seq 1, hex(HMAC-SHA-256(auditKey, "latchkey audit genesis"))
 * A pending line (audit.pending, written without the key) is the canonical form of the record
 * fields alone: time, op, who, ref, version, result, reason.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isCleanText, MAX_PATH_LENGTH, MAX_REF_LENGTH, MAX_TTY_LENGTH, REASON_PATTERN } from './event';

export const GENESIS_LABEL = 'latchkey audit genesis';
/** No line Latchkey writes comes near this; anything longer is malformed without being decoded. */
export const MAX_LINE_BYTES = 64 * 1024;

/** The end of a chain: the last line's seq and mac (seq 0 and the genesis value for an empty log). */
export interface AuditHead {
  readonly seq: number;
  readonly mac: string;
}

/** `who` as read back from a file (its `via` may be one a newer Latchkey added). */
export interface AuditWhoRecord {
  readonly via: string;
  readonly pid?: number;
  readonly exe?: string;
  readonly cwd?: string;
  readonly tty?: string;
  readonly uid?: number;
}

/** What a line says, without its place in the chain: exactly what a pending line holds. */
export interface AuditRecord {
  readonly time: string;
  readonly op: string;
  readonly who: AuditWhoRecord;
  readonly ref?: string;
  readonly version?: number;
  readonly result: string;
  readonly reason?: string;
}

/** One line of audit.log. */
export interface AuditEntry extends AuditRecord {
  readonly seq: number;
  /** Set when the event was recorded without the key (audit.pending) and folded in later. */
  readonly pending?: true;
  readonly prev: string;
  readonly mac: string;
}

export type UnsignedEntry = Omit<AuditEntry, 'mac'>;

export function genesisMac(key: Buffer): string {
  return createHmac('sha256', key).update(GENESIS_LABEL, 'utf8').digest('hex');
}

function canonicalWho(who: AuditWhoRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { via: who.via };
  if (who.pid !== undefined) o.pid = who.pid;
  if (who.exe !== undefined) o.exe = who.exe;
  if (who.cwd !== undefined) o.cwd = who.cwd;
  if (who.tty !== undefined) o.tty = who.tty;
  if (who.uid !== undefined) o.uid = who.uid;
  return o;
}

function putRecord(o: Record<string, unknown>, r: Omit<AuditRecord, 'time'>): void {
  o.op = r.op;
  o.who = canonicalWho(r.who);
  if (r.ref !== undefined) o.ref = r.ref;
  if (r.version !== undefined) o.version = r.version;
  o.result = r.result;
  if (r.reason !== undefined) o.reason = r.reason;
}

/** The canonical form of a chain line without its mac. */
export function canonicalBody(e: UnsignedEntry): string {
  const o: Record<string, unknown> = { seq: e.seq, time: e.time };
  if (e.pending === true) o.pending = true;
  putRecord(o, e);
  o.prev = e.prev;
  return JSON.stringify(o);
}

function macOf(key: Buffer, prev: string, body: string): string {
  return createHmac('sha256', key).update(prev, 'ascii').update(body, 'utf8').digest('hex');
}

/** The text of a chain line (no newline) and its mac. */
export function encodeChainLine(key: Buffer, e: UnsignedEntry): { text: string; mac: string } {
  const body = canonicalBody(e);
  const mac = macOf(key, e.prev, body);
  return { text: `${body.slice(0, -1)},"mac":"${mac}"}`, mac };
}

/** The text of a pending line (no newline). */
export function encodePendingLine(r: AuditRecord): string {
  const o: Record<string, unknown> = { time: r.time };
  putRecord(o, r);
  return JSON.stringify(o);
}

/** True when the line's own mac is right for its content and its stored prev (chain links aside). */
export function authenticates(key: Buffer, e: AuditEntry): boolean {
  const expected = Buffer.from(macOf(key, e.prev, canonicalBody(e)), 'hex');
  const stored = Buffer.from(e.mac, 'hex');
  return stored.length === expected.length && timingSafeEqual(stored, expected);
}

// ---- parsing: structure only; authenticity is `authenticates` -------------------------------------

const HEX64 = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Ops, vias and results a newer Latchkey may add still parse; their shape is fixed. */
const WORD = /^[a-z][a-z0-9-]{0,31}$/;

const CHAIN_KEYS: ReadonlySet<string> = new Set([
  'seq',
  'time',
  'pending',
  'op',
  'who',
  'ref',
  'version',
  'result',
  'reason',
  'prev',
  'mac',
]);
const PENDING_KEYS: ReadonlySet<string> = new Set([
  'time',
  'op',
  'who',
  'ref',
  'version',
  'result',
  'reason',
]);
const WHO_KEYS: ReadonlySet<string> = new Set(['via', 'pid', 'exe', 'cwd', 'tty', 'uid']);

class Malformed extends Error {}

function object(value: unknown, what: string, keys: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Malformed(`${what} is not a JSON object`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!keys.has(key)) throw new Malformed(`${what} has an unexpected key`);
  }
  return obj;
}

function whole(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new Malformed(`${what} is not a whole number ≥ ${min}`);
  }
  return value;
}

function optionalWhole(value: unknown, what: string): number | undefined {
  return value === undefined ? undefined : whole(value, what, 0);
}

function str(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new Malformed(`${what} is not a string of 1 to ${max} characters`);
  }
  if (!isCleanText(value)) throw new Malformed(`${what} holds control characters`);
  return value;
}

function optionalStr(value: unknown, what: string, max: number): string | undefined {
  return value === undefined ? undefined : str(value, what, max);
}

function matching(value: unknown, what: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new Malformed(`${what} is not well formed`);
  return value;
}

function parseWho(value: unknown): AuditWhoRecord {
  const o = object(value, 'who', WHO_KEYS);
  return dropUndefined({
    via: matching(o.via, 'who.via', WORD),
    pid: optionalWhole(o.pid, 'who.pid'),
    exe: optionalStr(o.exe, 'who.exe', MAX_PATH_LENGTH),
    cwd: optionalStr(o.cwd, 'who.cwd', MAX_PATH_LENGTH),
    tty: optionalStr(o.tty, 'who.tty', MAX_TTY_LENGTH),
    uid: optionalWhole(o.uid, 'who.uid'),
  });
}

function parseRecord(o: Record<string, unknown>): AuditRecord {
  const time = matching(o.time, 'time', ISO_TIME);
  if (!Number.isFinite(Date.parse(time))) throw new Malformed('time is not a date');
  return dropUndefined({
    time,
    op: matching(o.op, 'op', WORD),
    who: parseWho(o.who),
    ref: optionalStr(o.ref, 'ref', MAX_REF_LENGTH),
    version: optionalWhole(o.version, 'version'),
    result: matching(o.result, 'result', WORD),
    reason: o.reason === undefined ? undefined : matching(o.reason, 'reason', REASON_PATTERN),
  });
}

function dropUndefined<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}

function json(bytes: Buffer): unknown {
  if (bytes.length > MAX_LINE_BYTES) throw new Malformed('the line is longer than any audit line can be');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Malformed('the line is not JSON');
  }
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly canonical: boolean }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads a chain line's structure. `canonical` says whether the bytes are exactly what
 * `encodeChainLine` writes for that content (any other spelling means the bytes were changed).
 */
export function parseChainLine(bytes: Buffer): Parsed<AuditEntry> {
  try {
    const o = object(json(bytes), 'the line', CHAIN_KEYS);
    if (o.pending !== undefined && o.pending !== true) throw new Malformed('pending is not true');
    const entry: AuditEntry = dropUndefined({
      seq: whole(o.seq, 'seq', 1),
      ...parseRecord(o),
      pending: o.pending === true ? (true as const) : undefined,
      prev: matching(o.prev, 'prev', HEX64),
      mac: matching(o.mac, 'mac', HEX64),
    });
    const body = canonicalBody(entry);
    const text = `${body.slice(0, -1)},"mac":"${entry.mac}"}`;
    return { ok: true, value: entry, canonical: Buffer.from(text, 'utf8').equals(bytes) };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, problem: error.message };
    throw error;
  }
}

/** Reads a pending line's structure. */
export function parsePendingLine(bytes: Buffer): Parsed<AuditRecord> {
  try {
    const record = parseRecord(object(json(bytes), 'the line', PENDING_KEYS));
    return {
      ok: true,
      value: record,
      canonical: Buffer.from(encodePendingLine(record), 'utf8').equals(bytes),
    };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, problem: error.message };
    throw error;
  }
}

/** Just the seq of a line, if it has a readable one (to tell reordering from deletion). */
export function seqOf(bytes: Buffer): number | undefined {
  try {
    const o = json(bytes) as { seq?: unknown } | null;
    const seq = typeof o === 'object' && o !== null ? o.seq : undefined;
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
  } catch {
    return undefined;
  }
}

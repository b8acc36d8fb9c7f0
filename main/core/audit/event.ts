/**
 * What an audit event may say: who did what to which ref, and how it ended. Never a value: the
 * types have no field for one, and `validateEvent` rejects any key it does not know, so a value
 * cannot ride along under another name either. Text that reaches the log has its control and
 * bidirectional-override characters stripped, so `latchkey audit` cannot be made to spoof a terminal.
 */
import { LatchkeyError } from '../errors';

/** Operations a caller may record. Add new ones here (the file parser accepts any well-formed op). */
export const AUDIT_OPS = [
  'read',
  'unlock',
  'unlock-failed',
  'lock',
  'sync',
  'refusal',
  'denial',
  'set',
  'remove',
  'store',
  'grant',
  'revoke',
] as const;
export type AuditOp = (typeof AUDIT_OPS)[number];

/** Operations only the log itself writes (about the pending file); callers cannot record them. */
export const AUDIT_SYSTEM_OPS = ['pending-overflow', 'pending-malformed'] as const;
export type AuditSystemOp = (typeof AUDIT_SYSTEM_OPS)[number];

export const AUDIT_VIAS = ['cli', 'gui', 'agent', 'sync', 'run', 'shell'] as const;
export type AuditVia = (typeof AUDIT_VIAS)[number];

export const AUDIT_RESULTS = ['ok', 'refused', 'denied', 'error'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** The process behind an operation, as far as it is known. */
export interface AuditWho {
  readonly via: AuditVia;
  readonly pid?: number;
  readonly exe?: string;
  readonly cwd?: string;
  readonly tty?: string;
  readonly uid?: number;
}

/** One event. There is deliberately no field that could hold a secret value. */
export interface AuditEvent {
  readonly op: AuditOp;
  readonly who: AuditWho;
  /** The secret reference (`lk://project/environment/item[/field]`), never its value. */
  readonly ref?: string;
  /** The item's version (synced items) or revision (local items). */
  readonly version?: number;
  readonly result: AuditResult;
  /** An error code (`PRODUCTION_REFUSED`) or a rule id (`stripe-live-secret-key`). */
  readonly reason?: string;
}

export const MAX_REF_LENGTH = 300;
export const MAX_PATH_LENGTH = 4096;
export const MAX_TTY_LENGTH = 256;
export const REASON_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

const EVENT_KEYS: ReadonlySet<string> = new Set(['op', 'who', 'ref', 'version', 'result', 'reason']);
const WHO_KEYS: ReadonlySet<string> = new Set(['via', 'pid', 'exe', 'cwd', 'tty', 'uid']);

/** C0, DEL, C1, and the Unicode marks that reorder or hide text on a terminal. */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` without control or direction-override characters, and with lone surrogates made U+FFFD. */
export function stripUnsafeChars(text: string): string {
  return text.replace(UNSAFE_CHARS, '').replace(LONE_SURROGATE, '\ufffd');
}

/** True when `text` holds nothing `stripUnsafeChars` would change (what a line read back must satisfy). */
export function isCleanText(text: string): boolean {
  return stripUnsafeChars(text) === text;
}

function invalid(detail: string): LatchkeyError {
  return new LatchkeyError(
    'AUDIT_FAILED',
    `the audit event was refused (${detail}), so nothing was recorded and the operation must not go ahead; this is a bug in Latchkey — please report it`,
  );
}

/** A key name shown in an error: short and printable (it is the caller's, not a value, but be careful). */
function shownKey(key: string): string {
  const clean = key.replace(/[^A-Za-z0-9_$-]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

function plainObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} is not an object`);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw invalid(`${what} is not a plain object`);
  if (Object.getOwnPropertySymbols(value).length > 0) throw invalid(`${what} has symbol keys`);
  return value as Record<string, unknown>;
}

function onlyKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.getOwnPropertyNames(obj)) {
    if (!allowed.has(key)) {
      throw invalid(
        `${what} has a field '${shownKey(key)}' that an audit line cannot hold — audit lines never carry values`,
      );
    }
  }
}

function oneOf<T extends string>(value: unknown, list: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(list as readonly string[]).includes(value)) {
    throw invalid(`${what} must be one of ${list.join(', ')}`);
  }
  return value as T;
}

function count(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${what} must be a whole number ≥ 0`);
  }
  return value;
}

function text(value: unknown, max: number, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${what} must be a string`);
  const clean = stripUnsafeChars(value);
  if (clean.length === 0 || clean.length > max) throw invalid(`${what} must be 1 to ${max} characters`);
  return clean;
}

/** Checks a `who` like `validateEvent` does and returns a clean copy. */
export function validateWho(input: unknown): AuditWho {
  const obj = plainObject(input, 'who');
  onlyKeys(obj, WHO_KEYS, 'who');
  const who: { -readonly [K in keyof AuditWho]: AuditWho[K] } = {
    via: oneOf(obj.via, AUDIT_VIAS, 'who.via'),
  };
  const pid = count(obj.pid, 'who.pid');
  if (pid !== undefined) who.pid = pid;
  const exe = text(obj.exe, MAX_PATH_LENGTH, 'who.exe');
  if (exe !== undefined) who.exe = exe;
  const cwd = text(obj.cwd, MAX_PATH_LENGTH, 'who.cwd');
  if (cwd !== undefined) who.cwd = cwd;
  const tty = text(obj.tty, MAX_TTY_LENGTH, 'who.tty');
  if (tty !== undefined) who.tty = tty;
  const uid = count(obj.uid, 'who.uid');
  if (uid !== undefined) who.uid = uid;
  return who;
}

/**
 * Checks an event at the boundary and returns a fresh copy holding only the known fields, with
 * text cleaned. Throws AUDIT_FAILED for an unknown key (`value`, `secret`, anything), a wrong type,
 * an unknown op/via/result, a ref over 300 characters, exe/cwd over 4096, or a malformed reason.
 */
export function validateEvent(input: unknown): AuditEvent {
  const obj = plainObject(input, 'the event');
  onlyKeys(obj, EVENT_KEYS, 'the event');
  const event: { -readonly [K in keyof AuditEvent]: AuditEvent[K] } = {
    op: oneOf(obj.op, AUDIT_OPS, 'op'),
    who: validateWho(obj.who),
    result: oneOf(obj.result, AUDIT_RESULTS, 'result'),
  };
  const ref = text(obj.ref, MAX_REF_LENGTH, 'ref');
  if (ref !== undefined) event.ref = ref;
  const version = count(obj.version, 'version');
  if (version !== undefined) event.version = version;
  if (obj.reason !== undefined) {
    if (typeof obj.reason !== 'string' || !REASON_PATTERN.test(obj.reason)) {
      throw invalid('reason must be an error code or rule id: letters, digits, _ . : -, at most 100');
    }
    event.reason = obj.reason;
  }
  return event;
}

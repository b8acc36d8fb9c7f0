/**
 * Every failure a user can cause is a LatchkeyError with a stable code.
 * The table below is the single list of codes; docs/errors.md is checked against it in tests.
 */

export interface ErrorCodeInfo {
  /** Process exit status the CLI uses for this code. */
  readonly exit: 1 | 2;
  /** What the code means, in one line (for docs/errors.md). */
  readonly meaning: string;
}

export const ERROR_CODES = {
  USAGE: { exit: 2, meaning: 'The command line was malformed: unknown command, flag or missing argument.' },
  INVALID_REF: {
    exit: 2,
    meaning: 'A secret reference is not of the form lk://project/environment/item[/field].',
  },
  WRONG_PASSWORD: { exit: 1, meaning: 'The master password does not open this vault.' },
  VAULT_CORRUPT: { exit: 1, meaning: 'The vault file is damaged or was tampered with.' },
  VAULT_VERSION_UNSUPPORTED: {
    exit: 1,
    meaning: 'The vault file has a format version this build does not know.',
  },
  KDF_PARAMS_REFUSED: {
    exit: 1,
    meaning: 'The vault header asks for key-derivation parameters outside the allowed range.',
  },
  VAULT_NOT_FOUND: { exit: 1, meaning: 'There is no vault yet in the data directory.' },
  VAULT_EXISTS: { exit: 1, meaning: 'A vault already exists and will not be overwritten.' },
  VAULT_BUSY: { exit: 1, meaning: 'Another process is writing the vault.' },
  VAULT_CHANGED: {
    exit: 1,
    meaning: 'The vault file was replaced by another process while this one had it open.',
  },
  NO_BACKUP: { exit: 1, meaning: 'There is no previous generation to restore.' },
  UNSAFE_PATH: {
    exit: 1,
    meaning:
      'A data path is a symlink, not the expected kind of file, owned by someone else or readable by others.',
  },
  STORAGE_FAILED: {
    exit: 1,
    meaning: 'Reading or writing the data directory failed (disk full, read-only, I/O error).',
  },
  PRODUCTION_REFUSED: { exit: 1, meaning: 'A production scope, metadata or credential was refused.' },
  UNKNOWN_ENVIRONMENT: {
    exit: 1,
    meaning: 'An environment is not positively development or staging, so it was refused.',
  },
  ITEM_NOT_FOUND: { exit: 1, meaning: 'The vault holds no such item or field.' },
  SCHEMA_NOT_FOUND: {
    exit: 1,
    meaning:
      'There is no latchkey.yml here or in any directory above, or the named schema file does not exist.',
  },
  SCHEMA_INVALID: {
    exit: 2,
    meaning:
      'A latchkey.yml is malformed (YAML syntax, unknown or duplicate key, wrong type, bad ref or duration, too large); the message names the line.',
  },
  VARIABLE_REFUSED: {
    exit: 1,
    meaning:
      "A variable name is not a plain environment variable name, is Latchkey's own (LATCHKEY_*), or changes how programs load code and the repo does not allow it.",
  },
  INVALID_VALUE: { exit: 1, meaning: 'A secret value is empty, too large or not valid UTF-8.' },
  PASSWORD_MISMATCH: { exit: 1, meaning: 'The two entries of a new password differ.' },
  PASSWORD_INVALID: { exit: 1, meaning: 'A new password is empty, too short or too long.' },
  NO_TERMINAL: { exit: 2, meaning: 'Input is needed but there is no terminal and no --password-stdin.' },
  CANCELLED: { exit: 1, meaning: 'The user declined a confirmation.' },
  INVALID_STORE_CONFIG: {
    exit: 2,
    meaning: 'A store definition (address, mount, layout, filter, auth) is malformed.',
  },
  STORE_NOT_FOUND: { exit: 1, meaning: 'No store of that name is configured.' },
  STORE_EXISTS: { exit: 1, meaning: 'A store of that name is already configured.' },
  STORE_AUTH_FAILED: {
    exit: 1,
    meaning: 'The central store refused the credentials (bad, expired or revoked token; wrong password).',
  },
  STORE_PERMISSION_DENIED: { exit: 1, meaning: 'The central store denied a read the sync needed (403).' },
  STORE_UNAVAILABLE: {
    exit: 1,
    meaning:
      'The central store could not be reached or kept failing (network, timeout, 5xx, sealed, rate limit).',
  },
  STORE_TLS_UNTRUSTED: { exit: 1, meaning: "The central store's TLS certificate is not trusted." },
  STORE_PROTOCOL: {
    exit: 1,
    meaning: 'The central store answered with something that is not the documented API.',
  },
  AUDIT_FAILED: {
    exit: 1,
    meaning:
      'The audit log could not be written (disk full, read-only, busy), so the operation was refused: Latchkey fails closed.',
  },
  AUDIT_TAMPERED: {
    exit: 1,
    meaning:
      'The audit log fails verification: a line was edited, deleted, reordered or cut off, or the log belongs to another vault.',
  },
  LOCKED: { exit: 1, meaning: 'The agent is running but the vault is locked.' },
  SECRET_MISSING: { exit: 1, meaning: 'A variable the project needs has no value in your vault.' },
  AGENT_NOT_RUNNING: { exit: 1, meaning: 'No agent is listening on the socket.' },
  AGENT_RUNNING: { exit: 1, meaning: 'An agent is already listening on the socket.' },
  PROTOCOL_ERROR: { exit: 1, meaning: 'A message on the agent socket was malformed, too large or too slow.' },
  POLICY_EDITED: {
    exit: 1,
    meaning:
      "A Latchkey-managed policy in the store is not what Latchkey wrote (edited by hand, or for another layout); review it with 'latchkey access', then pass --replace.",
  },
  RATE_LIMITED: { exit: 1, meaning: 'Too many requests or connections to the agent; try again shortly.' },
  INTERNAL: { exit: 1, meaning: 'A bug in Latchkey; please report it with the command you ran.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Marks Latchkey's errors, whichever copy of this module made them (see hasInstance below). */
const BRAND = Symbol.for('latchkey.error');

/** The one error class of Latchkey: a stable code, a sentence for a person, an optional cause. */
export class LatchkeyError extends Error {
  readonly code: ErrorCode;

  /**
   * `instanceof LatchkeyError` holds for an error made by any copy of this module: `latchkey run`
   * carries one inside its one-file bundle (scripts/bundle-run.mjs), and the modules it loads only
   * off its fast path throw with the compiled file's. Subclasses keep the ordinary test.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== LatchkeyError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LatchkeyError';
    this.code = code;
  }

  /** Exit status for the CLI. */
  get exitCode(): 1 | 2 {
    return ERROR_CODES[this.code].exit;
  }

  /** The one line the CLI prints: `CODE: sentence`. */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

Object.defineProperty(LatchkeyError.prototype, BRAND, { value: true });

export function isLatchkeyError(error: unknown, code?: ErrorCode): error is LatchkeyError {
  return error instanceof LatchkeyError && (code === undefined || error.code === code);
}

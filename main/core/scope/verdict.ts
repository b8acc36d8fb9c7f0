/**
 * The shapes every scope check answers with, and how names are shown inside refusal sentences.
 * A verdict never carries a secret value: only names, metadata keys and rule ids.
 */
import { LatchkeyError } from '../errors';

/** The only environments Latchkey stores, serves or grants. */
export type Environment = 'development' | 'staging';

/** The two error codes a scope check can refuse with. */
export type RefusalCode = 'PRODUCTION_REFUSED' | 'UNKNOWN_ENVIRONMENT';

/** A refusal: a stable code, the id of the rule that fired, and a sentence for a person. */
export interface Refusal {
  readonly ok: false;
  readonly code: RefusalCode;
  /** Stable rule id, e.g. `environment-name-production`; listed in docs/scopes.md. */
  readonly rule: string;
  /** One sentence naming the rule and saying what to do; never contains a secret value. */
  readonly reason: string;
}

/** The answer of every environment-level check: a positive environment, or a refusal. */
export type ScopeVerdict = { readonly ok: true; readonly environment: Environment } | Refusal;

/** The answer for a name segment, which has no environment of its own. */
export type NameVerdict = { readonly ok: true } | Refusal;

export function refusal(code: RefusalCode, rule: string, reason: string): Refusal {
  return { ok: false, code, rule, reason };
}

const SHOWN_CODE_POINTS = 64;

/**
 * Quotes a user-supplied name for a refusal sentence: at most 64 code points, and anything outside
 * printable ASCII shown as `\u{…}` so look-alike letters are visible and control characters never
 * reach a terminal.
 */
export function quoteName(name: string): string {
  let shown = '';
  let count = 0;
  for (const ch of name) {
    if (count === SHOWN_CODE_POINTS) {
      shown += '…';
      break;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') shown += `\\${ch}`;
    else if (cp >= 0x20 && cp <= 0x7e) shown += ch;
    else shown += `\\u{${cp.toString(16)}}`;
    count++;
  }
  return `"${shown}"`;
}

/**
 * A refusal thrown as an error: a LatchkeyError whose code is PRODUCTION_REFUSED or
 * UNKNOWN_ENVIRONMENT, whose message is the verdict's reason, and which keeps the rule id.
 */
export class ScopeRefusal extends LatchkeyError {
  /** Stable id of the rule that fired, e.g. `metadata-disagrees`. */
  readonly rule: string;
  declare readonly code: RefusalCode;

  constructor(verdict: Refusal) {
    super(verdict.code, verdict.reason);
    this.rule = verdict.rule;
  }

  /** The same refusal as a verdict, for callers that record refusals instead of throwing. */
  toVerdict(): Refusal {
    return refusal(this.code, this.rule, this.message);
  }
}

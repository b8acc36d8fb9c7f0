/**
 * The renderer's only way out: `window.latchkey`, exposed by the preload (see preload/api.ts). The
 * renderer imports types from there and nothing else outside renderer/src.
 */
import type { LatchkeyApi } from '../../preload/api';

/** The bridge, or undefined when the page was opened outside the app (no preload). */
export function bridge(): LatchkeyApi | undefined {
  const candidate = (window as { latchkey?: LatchkeyApi }).latchkey;
  return candidate !== undefined && typeof candidate.getState === 'function' ? candidate : undefined;
}

/** The bridge; only called once App has checked that it exists. */
export function api(): LatchkeyApi {
  const found = bridge();
  if (found === undefined) throw new Error('window.latchkey is missing');
  return found;
}

export interface ApiFailure {
  /** The stable code (`LOCKED`, `STORE_EXISTS`, …) when the message carried one. */
  readonly code?: string;
  /** The sentence to show a person. */
  readonly sentence: string;
}

// Electron wraps a handler's rejection ("Error invoking remote method 'latchkey:x': Error: CODE: …"),
// so the code is found anywhere in the message: the first all-caps word followed by ': '.
const CODED = /(?:^|[\s:])([A-Z][A-Z0-9_]{2,}): ([\s\S]+)$/;

/** What went wrong, in words, from a rejected call (`CODE: sentence`) or anything else thrown. */
export function failureOf(error: unknown): ApiFailure {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = CODED.exec(message);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    return { code: match[1], sentence: asSentence(match[2]) };
  }
  const plain = message.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, '').trim();
  return { sentence: plain === '' ? 'Something went wrong. Try again.' : asSentence(plain) };
}

/** A message that may start with its own `CODE: `, without it, as a sentence. */
export function withoutCode(message: string): string {
  return asSentence(message.replace(/^[A-Z][A-Z0-9_]{2,}: /, ''));
}

/** Main's messages are CLI-style ("the vault is locked — …"); shown alone, they start upper-case. */
export function asSentence(message: string): string {
  const text = message.trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

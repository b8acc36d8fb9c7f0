/**
 * Finds live credentials in a secret value by scanning its bytes. The value is never turned into
 * a JavaScript string (strings cannot be wiped); the scanner reads bytes in place through a
 * Buffer view and allocates nothing the size of the value.
 */
import { LatchkeyError } from '../errors';
import { NAME_PRODUCTION_WORDS } from './production-words';
import {
  LIVE_CREDENTIAL_FORMATS,
  type ByteClass,
  type MarkerFormat,
  type UrlHostFormat,
} from './live-credentials';

/** What was recognised. Never holds the matched bytes, their position or any part of the value. */
export interface LiveCredentialMatch {
  /** Stable rule id, e.g. `stripe-live-secret-key` or `url-production-host`. */
  readonly rule: string;
  /** A noun phrase naming the format, e.g. `a Stripe live secret key (sk_live_…)`. */
  readonly description: string;
  /** What to store instead, e.g. `store the test-mode key (sk_test_…) instead`. */
  readonly advice: string;
}

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function isAlnum(b: number): boolean {
  return isDigit(b) || isLetter(b);
}

function inClass(b: number, byteClass: ByteClass): boolean {
  return byteClass === 'alnum' ? isAlnum(b) : isAlnum(b) || b === 0x5f;
}

function continuesHost(b: number): boolean {
  return isAlnum(b) || b === 0x2d || b === 0x5f;
}

function lowerAscii(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Buffer.indexOf, or an ASCII case-insensitive search for a lower-case needle. */
function indexOfMarker(hay: Buffer, needle: Buffer, from: number, caseInsensitive: boolean): number {
  if (!caseInsensitive) return hay.indexOf(needle, from);
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = from; i <= last; i++) {
    if (lowerAscii(hay[i] as number) !== first) continue;
    for (let j = 1; j < needle.length; j++) {
      if (lowerAscii(hay[i + j] as number) !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

interface CompiledMarker {
  readonly format: MarkerFormat;
  readonly needle: Buffer;
}

function markerFits(hay: Buffer, at: number, { format, needle }: CompiledMarker): boolean {
  if (format.notPrecededBy !== undefined && at > 0 && inClass(hay[at - 1] as number, format.notPrecededBy)) {
    return false;
  }
  const after = at + needle.length;
  if (format.endsHost === true && after < hay.length && continuesHost(hay[after] as number)) return false;
  const run = format.followedBy;
  if (run !== undefined) {
    // Count no further than needed: min, or one past max to see that the run ends there.
    const limit = run.max === undefined ? run.min : run.max + 1;
    let n = 0;
    while (n < limit && after + n < hay.length && inClass(hay[after + n] as number, run.bytes)) n++;
    if (n < run.min || (run.max !== undefined && n > run.max)) return false;
  }
  return true;
}

function hasMarker(hay: Buffer, marker: CompiledMarker): boolean {
  for (
    let at = indexOfMarker(hay, marker.needle, 0, marker.format.caseInsensitive);
    at >= 0;
    at = indexOfMarker(hay, marker.needle, at + 1, marker.format.caseInsensitive)
  ) {
    if (markerFits(hay, at, marker)) return true;
  }
  return false;
}

const SCHEME_END = ascii('://');
const HOST_WORDS: readonly Buffer[] = NAME_PRODUCTION_WORDS.map(ascii);

/** Bytes that end a URL's authority: path, query, fragment, whitespace, quotes, brackets of text. */
function endsAuthority(b: number): boolean {
  return (
    b <= 0x20 ||
    b === 0x2f || // /
    b === 0x3f || // ?
    b === 0x23 || // #
    b === 0x22 || // "
    b === 0x27 || // '
    b === 0x3c || // <
    b === 0x3e || // >
    b === 0x60 || // `
    b === 0x5c || // \
    b === 0x7f
  );
}

/** Whether hay[start, end) equals a production word, ASCII case-insensitively. */
function isProductionToken(hay: Buffer, start: number, end: number): boolean {
  for (const word of HOST_WORDS) {
    if (end - start !== word.length) continue;
    let same = true;
    for (let i = 0; i < word.length && same; i++) same = lowerAscii(hay[start + i] as number) === word[i];
    if (same) return true;
  }
  return false;
}

/**
 * Whether the host in hay[start, end) has a production token. Production words are letters only,
 * so a token is a run of ASCII letters and anything else separates: `api-prod`, `prod-eu`, `prod1`
 * and `db.prod.internal` match, `product` does not. Non-ASCII bytes separate too (hosts are ASCII
 * on the wire; look-alike spellings are the name rules' job).
 */
function hostHasProductionToken(hay: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    if (!isLetter(hay[i] as number)) {
      i++;
      continue;
    }
    const tokenStart = i;
    while (i < end && isLetter(hay[i] as number)) i++;
    if (isProductionToken(hay, tokenStart, i)) return true;
  }
  return false;
}

/** Whether the authority that starts at `start` names a production host (any of a host list). */
function authorityHasProductionHost(hay: Buffer, start: number): boolean {
  let end = start;
  while (end < hay.length && !endsAuthority(hay[end] as number)) end++;
  let hostsStart = start;
  for (let i = start; i < end; i++) if (hay[i] === 0x40) hostsStart = i + 1; // after the last @ (userinfo)
  // `mongodb://a.prod,b.prod:27017`: a comma separates hosts; a colon starts a port.
  let hostStart = hostsStart;
  for (let i = hostsStart; i <= end; i++) {
    if (i < end && hay[i] !== 0x2c) continue;
    if (hostStart < i && hay[hostStart] !== 0x5b /* [ IPv6 literal */) {
      let hostEnd = hostStart;
      while (hostEnd < i && hay[hostEnd] !== 0x3a) hostEnd++;
      if (hostHasProductionToken(hay, hostStart, hostEnd)) return true;
    }
    hostStart = i + 1;
  }
  return false;
}

function hasProductionUrl(hay: Buffer): boolean {
  for (let at = hay.indexOf(SCHEME_END, 0); at >= 0; at = hay.indexOf(SCHEME_END, at + 1)) {
    // A scheme ends with a letter or digit right before `://`; `//host` alone is not a URL.
    if (at > 0 && isAlnum(hay[at - 1] as number) && authorityHasProductionHost(hay, at + SCHEME_END.length)) {
      return true;
    }
  }
  return false;
}

type Compiled = CompiledMarker | { readonly format: UrlHostFormat };

const COMPILED: readonly Compiled[] = LIVE_CREDENTIAL_FORMATS.map((format) =>
  format.kind === 'marker' ? { format, needle: ascii(format.marker) } : { format },
);

/**
 * The first live-credential format (in LIVE_CREDENTIAL_FORMATS order) found in `value`, or undefined.
 * Scans bytes only, in time linear in the value's length; works on any bytes, valid UTF-8 or not.
 * Throws INTERNAL for anything but a Uint8Array (a bug; silently passing it would fail open).
 * The match names the rule and the format, never the bytes that matched.
 */
export function findLiveCredential(value: Uint8Array): LiveCredentialMatch | undefined {
  if (!(value instanceof Uint8Array)) {
    // Values travel as bytes everywhere; anything else is a bug, and passing it would fail open.
    throw new LatchkeyError(
      'INTERNAL',
      'A secret value reached the live-credential scan as something other than bytes.',
    );
  }
  if (value.byteLength === 0) return undefined;
  const hay = Buffer.from(value.buffer, value.byteOffset, value.byteLength); // a view, not a copy
  for (const compiled of COMPILED) {
    const found = 'needle' in compiled ? hasMarker(hay, compiled) : hasProductionUrl(hay);
    if (found) {
      const { rule, description, advice } = compiled.format;
      return { rule, description, advice };
    }
  }
  return undefined;
}

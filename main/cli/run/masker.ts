/**
 * Masking of injected values in a child's output: every occurrence of a value is replaced by
 * `<redacted:NAME>`. A safety net, not a boundary — an encoded, transformed or re-split value is
 * not recognised (docs/run.md says so).
 *
 * The result does not depend on how the output is cut into chunks: a position is decided only once
 * every value that could start there is either fully available or ruled out, so the masker holds
 * back at most (longest value − 1) bytes, and only while they could still begin a value. Where
 * values overlap or one occurrence runs into another, the whole covered run is replaced, one label
 * per occurrence needed to cover it, so no fragment of a value is left between two labels.
 */

/** Values shorter than this are not masked: replacing every "abc" would garble all output. */
export const MIN_MASKED_BYTES = 4;

export interface MaskedValue {
  readonly name: string;
  readonly value: Uint8Array;
}

interface Candidate {
  readonly bytes: Buffer;
  readonly label: Buffer;
}

/** The streaming core: push chunks, get back what can be written so far; end() gives the rest. */
export class Masker {
  /** Candidates by first byte, longest first (so the first full match at a position is the longest). */
  readonly #byFirstByte: (Candidate[] | undefined)[] = new Array<Candidate[] | undefined>(256);
  readonly #owned: Buffer[] = [];
  readonly #maxLength: number;
  #pending: Buffer = Buffer.alloc(0);
  /** Relative to #pending: end of the run already replaced by labels (output covers it). */
  #coverEnd = 0;
  /** Furthest end of an occurrence that started inside the covered run, and its label. */
  #bestEnd = 0;
  #bestLabel: Buffer | undefined;

  constructor(values: readonly MaskedValue[]) {
    const seen = new Set<string>();
    const all: Candidate[] = [];
    for (const { name, value } of values) {
      if (value.length < MIN_MASKED_BYTES) continue;
      const bytes = Buffer.from(value);
      const key = bytes.toString('latin1');
      if (seen.has(key)) {
        bytes.fill(0);
        continue; // the same value under two names: the first name labels it
      }
      seen.add(key);
      this.#owned.push(bytes);
      all.push({ bytes, label: Buffer.from(`<redacted:${name}>`, 'utf8') });
    }
    all.sort((a, b) => b.bytes.length - a.bytes.length);
    for (const c of all) (this.#byFirstByte[c.bytes[0]!] ??= []).push(c);
    this.#maxLength = all.reduce((m, c) => Math.max(m, c.bytes.length), 0);
  }

  /** True when there is nothing to mask (every value was shorter than MIN_MASKED_BYTES). */
  get empty(): boolean {
    return this.#maxLength === 0;
  }

  /** Masks a chunk; returns the bytes that are final so far (possibly none). */
  push(chunk: Uint8Array): Buffer {
    if (this.#maxLength === 0) return Buffer.from(chunk);
    return this.#scan(
      this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]),
      false,
    );
  }

  /** The end of the stream: everything still held back, masked. */
  end(): Buffer {
    if (this.#maxLength === 0) return Buffer.alloc(0);
    const out = this.#scan(this.#pending, true);
    this.#pending = Buffer.alloc(0);
    return out;
  }

  /** Zeroes the masker's copies of the values. */
  dispose(): void {
    for (const b of this.#owned) b.fill(0);
    this.#pending.fill(0);
  }

  /**
   * The longest value that occurs at `p`, or null when none does, or undefined when that cannot be
   * known yet (the data ends inside what could still be a value).
   */
  #longestAt(data: Buffer, p: number, final: boolean): Candidate | null | undefined {
    const candidates = this.#byFirstByte[data[p]!];
    if (candidates === undefined) return null;
    const available = data.length - p;
    let found: Candidate | null = null;
    for (const c of candidates) {
      const n = c.bytes.length;
      if (n > available) {
        // Could this value still be completed by the next chunk?
        if (!final && found === null && data.compare(c.bytes, 0, available, p, data.length) === 0)
          return undefined;
        continue;
      }
      if (found === null && data.compare(c.bytes, 0, n, p, p + n) === 0) found = c;
    }
    return found;
  }

  #scan(data: Buffer, final: boolean): Buffer {
    const out: Buffer[] = [];
    let plainFrom = -1; // start of a run of plain bytes not yet copied to out
    let p = 0;
    const len = data.length;
    const fullyVisible = len - this.#maxLength; // at p <= this every candidate fits
    while (p < len) {
      if (p === this.#coverEnd && this.#bestEnd > this.#coverEnd) {
        // An occurrence that began inside the covered run goes past it: extend the run.
        out.push(this.#bestLabel!);
        this.#coverEnd = this.#bestEnd;
      }
      const inside = p < this.#coverEnd;
      let match: Candidate | null | undefined;
      if (!inside && p <= fullyVisible && this.#byFirstByte[data[p]!] === undefined) {
        match = null; // the common case: this byte starts no value
      } else {
        match = this.#longestAt(data, p, final);
        if (match === undefined) break; // undecidable until more data arrives
      }
      if (inside) {
        if (match !== null && p + match.bytes.length > this.#bestEnd) {
          this.#bestEnd = p + match.bytes.length;
          this.#bestLabel = match.label;
        }
      } else if (match === null) {
        if (plainFrom < 0) plainFrom = p;
      } else {
        if (plainFrom >= 0) {
          out.push(data.subarray(plainFrom, p));
          plainFrom = -1;
        }
        out.push(match.label);
        this.#coverEnd = this.#bestEnd = p + match.bytes.length;
        this.#bestLabel = match.label;
      }
      p++;
    }
    if (plainFrom >= 0) out.push(data.subarray(plainFrom, p));
    const result = Buffer.concat(out);
    // Keep the undecided tail (at most maxLength − 1 bytes); make positions relative to it.
    const rest = Buffer.from(data.subarray(p));
    if (this.#pending.length > 0) this.#pending.fill(0);
    if (data !== this.#pending) data.fill(0);
    this.#pending = rest;
    this.#coverEnd = Math.max(0, this.#coverEnd - p);
    this.#bestEnd = Math.max(0, this.#bestEnd - p);
    return result;
  }
}

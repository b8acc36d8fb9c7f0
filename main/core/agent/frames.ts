/**
 * The agent's wire format: each frame is a 4-byte big-endian length followed by that many bytes
 * of UTF-8 JSON. The decoder is strict — a hostile or confused peer gets a protocol error and its
 * connection closed, never a crash or a stall: a hard size cap, strict UTF-8, JSON that must be an
 * object, no prototype-pollution keys, bounded nesting.
 */
import { LatchkeyError } from '../errors';

/** The largest request frame the agent accepts. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** The largest reply frame a client accepts: a resolve of many large values can exceed 64 KiB. */
export const MAX_REPLY_BYTES = 16 * 1024 * 1024;
/** The deepest nesting a frame may have (requests are flat; this only stops bombs). */
export const MAX_DEPTH = 8;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class ProtocolError extends LatchkeyError {
  constructor(message: string) {
    super('PROTOCOL_ERROR', message);
  }
}

/** Encodes one message as a frame. */
export function encodeFrame(message: unknown, maxBytes = MAX_FRAME_BYTES): Buffer {
  const text = JSON.stringify(message);
  const length = Buffer.byteLength(text, 'utf8');
  if (length > maxBytes) throw new ProtocolError(`a frame of ${length} bytes is larger than ${maxBytes}`);
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32BE(length, 0);
  frame.write(text, 4, 'utf8');
  return frame;
}

/** Checks nesting depth without recursion limits of our own: fails past MAX_DEPTH. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) throw new ProtocolError(`the frame nests deeper than ${MAX_DEPTH} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** One strict decoder for every frame: a non-streaming `decode` keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Throws when any object in `value` has a forbidden key (JSON.parse makes them plain own keys). */
function checkKeys(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) checkKeys(v);
    return;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw new ProtocolError(`the key '${key}' is not allowed`);
    checkKeys((value as Record<string, unknown>)[key]);
  }
}

/** Parses a frame body: strict UTF-8, JSON, an object, no forbidden keys, bounded depth. */
export function parseFrameBody(body: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new ProtocolError('the frame is not valid UTF-8');
  }
  checkDepth(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProtocolError('the frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError('a frame must hold a JSON object');
  }
  // Depth is bounded above, so this walk is too.
  checkKeys(parsed);
  return parsed as Record<string, unknown>;
}

/**
 * Accumulates bytes and yields complete frames. Rejects a declared length over the cap as soon as
 * the 4 length bytes arrive, before buffering anything more.
 */
export class FrameDecoder {
  #pending: Buffer[] = [];
  #size = 0;
  readonly #max: number;

  constructor(maxBytes = MAX_FRAME_BYTES) {
    this.#max = maxBytes;
  }

  /**
   * Feeds bytes; returns the complete frame bodies now available. Throws ProtocolError. Keeps only
   * its own copies: the caller may zero `chunk` as soon as this returns (frames may carry a
   * password), even when a frame continues in the next chunk.
   */
  push(chunk: Buffer): Buffer[] {
    const earlier = this.#pending; // our own copies from earlier calls
    const made: Buffer[] = []; // joins made here, zeroed once a copy of the rest is kept
    this.#pending = [...earlier, chunk];
    this.#size += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.#size < 4) break;
      let all = this.#pending[0]!;
      if (this.#pending.length > 1) {
        all = Buffer.concat(this.#pending);
        made.push(all);
      }
      this.#pending = [all];
      const length = all.readUInt32BE(0);
      if (length === 0) throw new ProtocolError('an empty frame');
      if (length > this.#max)
        throw new ProtocolError(`a frame of ${length} bytes is larger than ${this.#max}`);
      if (this.#size < 4 + length) break;
      out.push(Buffer.from(all.subarray(4, 4 + length)));
      const rest = all.subarray(4 + length);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#size = rest.length;
    }
    this.#pending = this.#size > 0 ? [Buffer.concat(this.#pending, this.#size)] : [];
    for (const b of [...earlier, ...made]) b.fill(0);
    return out;
  }

  /** Bytes of an incomplete frame waiting for the rest. */
  get buffered(): number {
    return this.#size;
  }

  /** Zeroes what is buffered (frames may carry a password). */
  clear(): void {
    for (const b of this.#pending) b.fill(0);
    this.#pending = [];
    this.#size = 0;
  }
}

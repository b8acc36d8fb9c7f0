import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A secret value held as bytes. Printing, logging or serialising it shows `[REDACTED]`;
 * `reveal()` is the only way out, so `grep -rn '.reveal('` lists every place a value leaves the core.
 * `dispose()` zeroes the bytes; a disposed Secret throws on reveal.
 */
export class Secret {
  #bytes: Buffer | undefined;

  /** Takes ownership of `bytes`: the caller must not keep or reuse the buffer. */
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** Copies a string into a new Secret. The string itself cannot be wiped; prefer bytes. */
  static fromString(value: string): Secret {
    return new Secret(Buffer.from(value, 'utf8'));
  }

  get byteLength(): number {
    return this.#bytes?.length ?? 0;
  }

  get disposed(): boolean {
    return this.#bytes === undefined;
  }

  /** The bytes themselves (not a copy): valid until dispose(). */
  reveal(): Buffer {
    if (this.#bytes === undefined) throw new Error('secret used after dispose');
    return this.#bytes;
  }

  /** Zeroes the bytes. Safe to call twice. */
  dispose(): void {
    this.#bytes?.fill(0);
    this.#bytes = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Zeroes every buffer given; ignores undefined. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

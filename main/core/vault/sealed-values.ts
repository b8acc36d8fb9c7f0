/**
 * The vault's value records while it is unlocked: still sealed. Records loaded from the file stay
 * in one copy of the file's value region, found by offset; records written since are kept apart.
 * Nothing here can decrypt: that takes the data key, which only the Vault holds.
 */
import { randomBytes } from 'node:crypto';
import {
  recordChunks,
  ID_BYTES,
  recordAt,
  sealedAt,
  valueKey,
  type SealedValue,
  type ValueRegion,
} from './format';

export class SealedValues {
  #region: Buffer;
  #offsets: Map<number, number>;
  /** Values written since the vault was opened, by value key; the full id alongside. */
  readonly #fresh = new Map<number, { readonly id: string; readonly value: SealedValue }>();

  constructor(loaded?: ValueRegion) {
    // One copy, so the file buffer itself can be dropped.
    this.#region = loaded ? Buffer.from(loaded.bytes) : Buffer.alloc(0);
    this.#offsets = loaded ? loaded.offsets : new Map<number, number>();
  }

  /** A new random value id whose key no other record here has. */
  newValueId(): Buffer {
    for (;;) {
      const id = randomBytes(ID_BYTES);
      const key = id.readUIntBE(0, 6);
      if (!this.#offsets.has(key) && !this.#fresh.has(key)) return id;
    }
  }

  has(valueId: string): boolean {
    const key = valueKey(valueId);
    return this.#offsets.has(key) || this.#fresh.get(key)?.id === valueId;
  }

  get(valueId: string): SealedValue | undefined {
    const key = valueKey(valueId);
    const fresh = this.#fresh.get(key);
    if (fresh) return fresh.id === valueId ? fresh.value : undefined;
    const offset = this.#offsets.get(key);
    return offset === undefined ? undefined : sealedAt(this.#region, offset);
  }

  /** Adds a value under an id from newValueId(). */
  set(valueId: string, value: SealedValue): void {
    this.#fresh.set(valueKey(valueId), { id: valueId, value });
  }

  delete(valueId: string): void {
    const key = valueKey(valueId);
    this.#fresh.get(key)?.value.sealed.fill(0);
    this.#fresh.delete(key);
    this.#offsets.delete(key);
  }

  /** Every live record (id included), as chunks for the next file, and how many records. */
  records(): { count: number; chunks: Buffer[] } {
    const chunks: Buffer[] = [];
    for (const offset of this.#offsets.values()) chunks.push(recordAt(this.#region, offset));
    for (const { id, value } of this.#fresh.values()) chunks.push(...recordChunks(Buffer.from(id, 'hex'), value));
    return { count: this.#offsets.size + this.#fresh.size, chunks };
  }

  clear(): void {
    this.#region.fill(0);
    this.#region = Buffer.alloc(0);
    this.#offsets = new Map();
    for (const { value } of this.#fresh.values()) value.sealed.fill(0);
    this.#fresh.clear();
  }
}

/**
 * The vault's value records while it is unlocked: still sealed. Records loaded from the file stay
 * in one copy of the file's value region, found by offset; records written since are kept apart,
 * laid out as in the file (id, nonce, length, sealed value) in blocks of their own, also found by
 * offset. Numbers rather than a few objects per value keep the garbage collector's pauses short
 * while a sync seals thousands of values.
 * Nothing here can decrypt: that takes the data key, which only the Vault holds.
 */
import { randomBytes } from 'node:crypto';
import { NONCE_BYTES } from '../crypto/xchacha20poly1305';
import { LatchkeyError } from '../errors';
import { pace, turnSpent } from './atomic-write';
import { ID_BYTES, sealedAt, valueKey, type SealedValue, type ValueRegion } from './format';

/** Bytes drawn from the system's random generator at a time for ids and nonces. */
const RANDOM_POOL_BYTES = 4096;
/** Size of the blocks fresh records are kept in (a larger record gets a block of its own). */
const BLOCK_BYTES = 64 * 1024;
/** A fresh record's place: block number × BLOCK_SPAN + offset of its nonce in the block. */
const BLOCK_SPAN = 2 ** 24;
/** The bytes of a record besides its sealed value: id, nonce and length. */
const RECORD_OVERHEAD = ID_BYTES + NONCE_BYTES + 4;

let randomPool = Buffer.alloc(0);
let randomPoolAt = 0;

/**
 * `n` random bytes (ids and nonces: public, but never to repeat) from a pool filled by the system's
 * random generator a few kilobytes at a time: one call (and one native object for the garbage
 * collector) per hundred values sealed rather than two per value. Every byte is handed out once.
 */
export function poolRandomBytes(n: number): Buffer {
  if (randomPoolAt + n > randomPool.length) {
    randomPool = randomBytes(Math.max(RANDOM_POOL_BYTES, n));
    randomPoolAt = 0;
  }
  const out = randomPool.subarray(randomPoolAt, randomPoolAt + n);
  randomPoolAt += n;
  return out;
}

export class SealedValues {
  #region: Buffer;
  #offsets: Map<number, number>;
  /** Values written since the vault was opened: value key → place in #blocks (see BLOCK_SPAN). */
  #fresh = new Map<number, number>();
  #blocks: Buffer[] = [];
  /** Bytes used in the last block. */
  #used = 0;
  /** Bytes in #blocks of records since deleted (zeroed), reclaimed at the next `records()`. */
  #dead = 0;
  /** Counts sets and deletes, so a compaction that was overtaken by one can tell. */
  #changes = 0;

  constructor(loaded?: ValueRegion) {
    // One copy, so the file buffer itself can be dropped.
    this.#region = loaded ? Buffer.from(loaded.bytes) : Buffer.alloc(0);
    this.#offsets = loaded ? loaded.offsets : new Map<number, number>();
  }

  /** A new random value id whose key no other record here has. */
  newValueId(): Buffer {
    for (;;) {
      const id = poolRandomBytes(ID_BYTES);
      const key = id.readUIntBE(0, 6);
      if (!this.#offsets.has(key) && !this.#fresh.has(key)) return id;
    }
  }

  /** The block and offset (of the nonce) of the fresh record `valueId`, when its full id matches. */
  #freshAt(valueId: string): { block: Buffer; at: number } | undefined {
    const place = this.#fresh.get(valueKey(valueId));
    if (place === undefined) return undefined;
    const block = this.#blocks[Math.floor(place / BLOCK_SPAN)]!;
    const at = place % BLOCK_SPAN;
    return block.toString('hex', at - ID_BYTES, at) === valueId ? { block, at } : undefined;
  }

  has(valueId: string): boolean {
    return this.#offsets.has(valueKey(valueId)) || this.#freshAt(valueId) !== undefined;
  }

  get(valueId: string): SealedValue | undefined {
    const key = valueKey(valueId);
    if (this.#fresh.has(key)) {
      const found = this.#freshAt(valueId);
      return found && sealedAt(found.block, found.at);
    }
    const offset = this.#offsets.get(key);
    return offset === undefined ? undefined : sealedAt(this.#region, offset);
  }

  /** Adds a value under an id from newValueId() (the value's bytes are copied). */
  set(valueId: string, value: SealedValue): void {
    const size = RECORD_OVERHEAD + value.sealed.length;
    let block = this.#blocks[this.#blocks.length - 1];
    if (block === undefined || this.#used + size > block.length) {
      block = Buffer.alloc(Math.max(BLOCK_BYTES, size));
      this.#blocks.push(block);
      this.#used = 0;
    }
    const start = this.#used;
    if (block.write(valueId, start, ID_BYTES, 'hex') !== ID_BYTES || value.nonce.length !== NONCE_BYTES) {
      block.fill(0, start, start + ID_BYTES);
      throw new RangeError('a value needs a 16-byte id and a 24-byte nonce');
    }
    value.nonce.copy(block, start + ID_BYTES);
    block.writeUInt32BE(value.sealed.length, start + ID_BYTES + NONCE_BYTES);
    value.sealed.copy(block, start + RECORD_OVERHEAD);
    this.#used += size;
    this.#changes++;
    this.#drop(valueKey(valueId));
    this.#fresh.set(valueKey(valueId), (this.#blocks.length - 1) * BLOCK_SPAN + start + ID_BYTES);
  }

  delete(valueId: string): void {
    const key = valueKey(valueId);
    this.#changes++;
    this.#drop(key);
    this.#fresh.delete(key);
    this.#offsets.delete(key);
  }

  /** Zeroes the fresh record under `key`, if any, and counts its bytes as dead. */
  #drop(key: number): void {
    const place = this.#fresh.get(key);
    if (place === undefined) return;
    const block = this.#blocks[Math.floor(place / BLOCK_SPAN)]!;
    const at = place % BLOCK_SPAN;
    const end = at + NONCE_BYTES + 4 + block.readUInt32BE(at + NONCE_BYTES);
    block.fill(0, at - ID_BYTES, end);
    this.#dead += end - (at - ID_BYTES);
  }

  /**
   * Every live record (id included), in order, as chunks for the next file, and how many records:
   * slices of the region and of the fresh blocks, adjacent records sharing one. When more than
   * half the fresh blocks' bytes are dead, the live fresh records are first moved to new blocks.
   * The work is paced so a large vault does not hold up the event loop.
   */
  async records(): Promise<{ count: number; chunks: Buffer[] }> {
    if (this.#dead > 0 && this.#dead * 2 > this.#blocks.reduce((n, b) => n + b.length, 0)) {
      await this.#compact();
    }
    const region = this.#region;
    const offsets = this.#offsets;
    const blocks = this.#blocks;
    const fresh = this.#fresh;
    // Pauses between slices; a vault closed meanwhile (its records zeroed) must not be written.
    const next = async (): Promise<void> => {
      await pace();
      if (this.#region !== region || this.#blocks !== blocks) {
        throw new LatchkeyError('INTERNAL', 'the vault was closed while it was being saved');
      }
    };
    const chunks: Buffer[] = [];
    let count = 0;
    let run: Buffer | undefined;
    let runStart = 0;
    let runEnd = -1;
    const add = (buffer: Buffer, at: number): void => {
      const start = at - ID_BYTES;
      const end = at + NONCE_BYTES + 4 + buffer.readUInt32BE(at + NONCE_BYTES);
      count++;
      if (buffer !== run || start !== runEnd) {
        if (run) chunks.push(run.subarray(runStart, runEnd));
        run = buffer;
        runStart = start;
      }
      runEnd = end;
    };
    for (const offset of offsets.values()) {
      if (turnSpent()) await next();
      add(region, offset);
    }
    for (const place of fresh.values()) {
      if (turnSpent()) await next();
      add(blocks[Math.floor(place / BLOCK_SPAN)]!, place % BLOCK_SPAN);
    }
    if (run) chunks.push(run.subarray(runStart, runEnd));
    return { count, chunks };
  }

  /**
   * Moves the live fresh records, in order, to new blocks, leaving the dead ones behind (zeroed).
   * Gives up, changing nothing, if a value is set or deleted (or everything cleared) meanwhile.
   */
  async #compact(): Promise<void> {
    const old = this.#blocks;
    const changes = this.#changes;
    const overtaken = (): boolean => this.#blocks !== old || this.#changes !== changes;
    const moved = new Map<number, number>();
    const blocks: Buffer[] = [];
    let used = 0;
    for (const [key, place] of this.#fresh) {
      if (turnSpent()) await pace();
      if (overtaken()) return;
      const from = old[Math.floor(place / BLOCK_SPAN)]!;
      const at = place % BLOCK_SPAN;
      const start = at - ID_BYTES;
      const size = RECORD_OVERHEAD + from.readUInt32BE(at + NONCE_BYTES);
      let block = blocks[blocks.length - 1];
      if (block === undefined || used + size > block.length) {
        block = Buffer.alloc(Math.max(BLOCK_BYTES, size));
        blocks.push(block);
        used = 0;
      }
      from.copy(block, used, start, start + size);
      moved.set(key, (blocks.length - 1) * BLOCK_SPAN + used + ID_BYTES);
      used += size;
    }
    if (overtaken()) return;
    for (const b of old) b.fill(0);
    this.#fresh = moved;
    this.#blocks = blocks;
    this.#used = used;
    this.#dead = 0;
  }

  clear(): void {
    this.#region.fill(0);
    this.#region = Buffer.alloc(0);
    this.#offsets = new Map();
    for (const b of this.#blocks) b.fill(0);
    this.#blocks = [];
    this.#fresh = new Map();
    this.#used = 0;
    this.#dead = 0;
  }
}

/**
 * The vault file, format v1, byte for byte (docs/FORMAT.md is the specification; keep them in step).
 *
 *   header        76 bytes   magic, version, algorithms, Argon2id parameters, salt, vault id, created, generation
 *   key block     72 bytes   nonce(24) || XChaCha20-Poly1305(KEK, data key) (48)
 *   header check  32 bytes   SHA-256(header || key block)
 *   index         28 + n     nonce(24) || u32 n || sealed JSON index (names and metadata, never values)
 *   values        4 + ...    u32 count || records: value id(16) || nonce(24) || u32 n || sealed value (n)
 *   mac           32 bytes   HMAC-SHA-256(file-mac subkey, every byte before it)
 *
 * The header check lets us tell damage to the bytes that decide whether the password opens the
 * vault (VAULT_CORRUPT) from a wrong password (WRONG_PASSWORD) before the KDF runs; the structure
 * walk catches truncation; the MAC, keyed from the data key, catches any other altered byte.
 * This module only parses and lays out bytes; it does no key derivation.
 */
import { createHash } from 'node:crypto';
import { LatchkeyError } from '../errors';
import type { KdfParams } from '../crypto/kdf';
import { NONCE_BYTES, TAG_BYTES } from '../crypto/xchacha20poly1305';

export const MAGIC = Buffer.from('LATCHKEY', 'ascii');
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 76;
/** Header bytes that never change between saves (all but the generation): the key block's AAD. */
export const HEADER_STATIC_BYTES = 68;
export const KDF_ARGON2ID_V13 = 1;
export const AEAD_XCHACHA20POLY1305 = 1;
export const ID_BYTES = 16;
export const KEY_BLOCK_BYTES = NONCE_BYTES + 32 + TAG_BYTES;
export const MAC_BYTES = 32;
export const HEADER_CHECK_BYTES = 32;
/** No vault file may exceed this; a larger file is refused before it is read into memory. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export const AAD_LABELS = {
  dataKey: Buffer.from('latchkey v1 data key', 'ascii'),
  index: Buffer.from('latchkey v1 index', 'ascii'),
  value: Buffer.from('latchkey v1 value', 'ascii'),
} as const;

export interface VaultHeader {
  readonly kdf: KdfParams;
  readonly salt: Buffer;
  readonly vaultId: Buffer;
  /** Unix time in milliseconds when the vault was created. */
  readonly createdMs: number;
  readonly generation: number;
}

export interface SealedValue {
  readonly nonce: Buffer;
  readonly sealed: Buffer;
}

/**
 * The value records as they lie in the file: `bytes` is the region after the count, and
 * `offsets` maps each value id's first 48 bits (`valueKey`) to where its record's nonce starts in
 * `bytes`. Numbers, not strings or one Buffer per record, are what let 10,000 items open in
 * milliseconds. Prefixes are unique in practice (random ids; a clash is reported as damage and
 * never happens below millions of records); the full id is bound into each value's AAD, so a
 * record found by prefix that is not the right one cannot decrypt.
 */
export interface ValueRegion {
  readonly bytes: Buffer;
  readonly offsets: Map<number, number>;
}

/** The lookup key of a value id: its first 48 bits as a number. */
export function valueKey(valueIdHex: string): number {
  return parseInt(valueIdHex.slice(0, 12), 16);
}

/** The record at `offset` (its nonce) in a value region. */
export function sealedAt(region: Buffer, offset: number): SealedValue {
  const n = region.readUInt32BE(offset + NONCE_BYTES);
  return {
    nonce: region.subarray(offset, offset + NONCE_BYTES),
    sealed: region.subarray(offset + NONCE_BYTES + 4, offset + NONCE_BYTES + 4 + n),
  };
}

/** The whole record (id included) whose nonce starts at `offset`. */
export function recordAt(region: Buffer, offset: number): Buffer {
  const n = region.readUInt32BE(offset + NONCE_BYTES);
  return region.subarray(offset - ID_BYTES, offset + NONCE_BYTES + 4 + n);
}

/** A record's bytes as chunks: value id || nonce || u32 length || sealed value. */
export function recordChunks(valueId: Buffer, value: SealedValue): Buffer[] {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(value.sealed.length, 0);
  return [valueId, value.nonce, len, value.sealed];
}
/** A parsed file: every part located, nothing decrypted. */
export interface ParsedVaultFile {
  readonly header: VaultHeader;
  /** The 76 raw header bytes (AAD material). */
  readonly headerBytes: Buffer;
  readonly keyBlock: { readonly nonce: Buffer; readonly sealed: Buffer };
  readonly index: { readonly nonce: Buffer; readonly sealed: Buffer };
  /** The value records, located but not copied. */
  readonly values: ValueRegion;
  /** Bytes covered by the MAC, and the MAC itself. */
  readonly macInput: Buffer;
  readonly mac: Buffer;
}

function corrupt(detail: string): LatchkeyError {
  return new LatchkeyError(
    'VAULT_CORRUPT',
    `the vault file is damaged (${detail}); run 'latchkey restore-backup' to return to the previous generation`,
  );
}

export function encodeHeader(h: VaultHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt16BE(FORMAT_VERSION, 8);
  b.writeUInt16BE(HEADER_BYTES, 10);
  b.writeUInt8(KDF_ARGON2ID_V13, 12);
  b.writeUInt8(AEAD_XCHACHA20POLY1305, 13);
  b.writeUInt16BE(0, 14);
  b.writeUInt32BE(h.kdf.memoryKiB, 16);
  b.writeUInt32BE(h.kdf.iterations, 20);
  b.writeUInt32BE(h.kdf.parallelism, 24);
  h.salt.copy(b, 28);
  h.vaultId.copy(b, 44);
  b.writeBigUInt64BE(BigInt(h.createdMs), 60);
  b.writeBigUInt64BE(BigInt(h.generation), 68);
  return b;
}

/** Reads the header fields of a file that passed the structural checks. */
function decodeHeader(b: Buffer): VaultHeader {
  if (b.readUInt8(12) !== KDF_ARGON2ID_V13) throw corrupt('unknown key-derivation algorithm');
  if (b.readUInt8(13) !== AEAD_XCHACHA20POLY1305) throw corrupt('unknown encryption algorithm');
  if (b.readUInt16BE(14) !== 0) throw corrupt('reserved header flags are set');
  const generation = b.readBigUInt64BE(68);
  const createdMs = b.readBigUInt64BE(60);
  if (generation > BigInt(Number.MAX_SAFE_INTEGER) || createdMs > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw corrupt('header counter out of range');
  }
  return {
    kdf: { memoryKiB: b.readUInt32BE(16), iterations: b.readUInt32BE(20), parallelism: b.readUInt32BE(24) },
    salt: Buffer.from(b.subarray(28, 44)),
    vaultId: Buffer.from(b.subarray(44, 60)),
    createdMs: Number(createdMs),
    generation: Number(generation),
  };
}

/** Format version of a file, read before anything else so a newer file says so plainly. */
function checkMagicAndVersion(file: Buffer): void {
  if (file.length < 12 || !file.subarray(0, 8).equals(MAGIC)) {
    throw corrupt('it does not start with the Latchkey signature');
  }
  const version = file.readUInt16BE(8);
  if (version !== FORMAT_VERSION) {
    throw new LatchkeyError(
      'VAULT_VERSION_UNSUPPORTED',
      `the vault file has format version ${version}, but this Latchkey reads version ${FORMAT_VERSION}; ` +
        `update Latchkey to open it`,
    );
  }
  if (file.readUInt16BE(10) !== HEADER_BYTES) throw corrupt('unexpected header length');
}

/** Reads only the header (for `status`, and the concurrent-writer check). */
export function readHeader(file: Buffer): VaultHeader {
  checkMagicAndVersion(file);
  if (file.length < HEADER_BYTES) throw corrupt('the header is cut short');
  return decodeHeader(file.subarray(0, HEADER_BYTES));
}

/**
 * Checks the header check and the structure and locates every part. Throws VAULT_CORRUPT at the
 * first malformed byte and VAULT_VERSION_UNSUPPORTED for another version. No key is needed.
 */
export function parseVaultFile(file: Buffer): ParsedVaultFile {
  checkMagicAndVersion(file);
  const minimum =
    HEADER_BYTES + KEY_BLOCK_BYTES + HEADER_CHECK_BYTES + NONCE_BYTES + 4 + TAG_BYTES + 4 + MAC_BYTES;
  if (file.length < minimum) throw corrupt(`only ${file.length} bytes`);
  const checked = HEADER_BYTES + KEY_BLOCK_BYTES;
  const check = createHash('sha256').update(file.subarray(0, checked)).digest();
  if (!check.equals(file.subarray(checked, checked + HEADER_CHECK_BYTES)))
    throw corrupt('header check mismatch');

  const header = decodeHeader(file.subarray(0, HEADER_BYTES));
  const end = file.length - MAC_BYTES;
  let at = HEADER_BYTES;
  const take = (n: number, what: string): Buffer => {
    if (n < 0 || at + n > end) throw corrupt(`${what} runs past the end`);
    const slice = file.subarray(at, at + n);
    at += n;
    return slice;
  };
  const keyBlock = { nonce: take(NONCE_BYTES, 'key block'), sealed: take(32 + TAG_BYTES, 'key block') };
  at += HEADER_CHECK_BYTES;
  const indexNonce = take(NONCE_BYTES, 'index');
  const indexLength = take(4, 'index length').readUInt32BE(0);
  if (indexLength < TAG_BYTES) throw corrupt('index too short');
  const index = { nonce: indexNonce, sealed: take(indexLength, 'index') };
  const count = take(4, 'value count').readUInt32BE(0);
  const regionStart = at;
  const offsets = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    if (at + ID_BYTES + NONCE_BYTES + 4 > end) throw corrupt('value record runs past the end');
    const key = file.readUIntBE(at, 6);
    const nonceAt = at + ID_BYTES;
    const n = file.readUInt32BE(nonceAt + NONCE_BYTES);
    if (n < TAG_BYTES) throw corrupt('value record too short');
    if (offsets.has(key)) throw corrupt('duplicate value record');
    offsets.set(key, nonceAt - regionStart);
    at = nonceAt + NONCE_BYTES + 4 + n;
    if (at > end) throw corrupt('value record runs past the end');
  }
  if (at !== end) throw corrupt('unexpected bytes after the value records');
  return {
    header,
    headerBytes: file.subarray(0, HEADER_BYTES),
    keyBlock,
    index,
    values: { bytes: file.subarray(regionStart, end), offsets },
    macInput: file.subarray(0, end),
    mac: file.subarray(end),
  };
}

/** AAD of a value record: label || vault id || item id || value id. */
export function valueAad(vaultId: Buffer, itemId: Buffer, valueId: Buffer): Buffer {
  return Buffer.concat([AAD_LABELS.value, vaultId, itemId, valueId]);
}

export function keyBlockAad(headerBytes: Buffer): Buffer {
  return Buffer.concat([AAD_LABELS.dataKey, headerBytes.subarray(0, HEADER_STATIC_BYTES)]);
}

export function indexAad(headerBytes: Buffer): Buffer {
  return Buffer.concat([AAD_LABELS.index, headerBytes]);
}

/**
 * The chunks of a whole file but its MAC, in order: header, key block, header check, index
 * (nonce, length, sealed chunks), value count and records. The caller appends the MAC.
 */
export function layoutChunks(parts: {
  headerBytes: Buffer;
  keyBlock: { nonce: Buffer; sealed: Buffer };
  index: { nonce: Buffer; sealed: readonly Buffer[] };
  records: { readonly count: number; readonly chunks: readonly Buffer[] };
}): Buffer[] {
  const u32 = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const headerAndKey = Buffer.concat([parts.headerBytes, parts.keyBlock.nonce, parts.keyBlock.sealed]);
  const indexLength = parts.index.sealed.reduce((n, c) => n + c.length, 0);
  return [
    headerAndKey,
    createHash('sha256').update(headerAndKey).digest(),
    parts.index.nonce,
    u32(indexLength),
    ...parts.index.sealed,
    u32(parts.records.count),
    ...parts.records.chunks,
  ];
}

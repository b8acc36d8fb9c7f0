/**
 * The vault file, format v1, byte for byte (docs/FORMAT.md is the specification; keep them in step).
 *
 *   header      76 bytes   magic, version, algorithms, Argon2id parameters, salt, vault id, created, generation
 *   key block   72 bytes   nonce(24) || XChaCha20-Poly1305(KEK, data key) (48)
 *   index       28 + n     nonce(24) || u32 n || sealed JSON index (names and metadata, never values)
 *   values      4 + ...    u32 count || records: value id(16) || nonce(24) || u32 n || sealed value (n)
 *   mac         32 bytes   HMAC-SHA-256(file-mac subkey, every byte before it)
 *   checksum    32 bytes   SHA-256(every byte before it)
 *
 * The checksum lets us tell a damaged file (VAULT_CORRUPT) from a wrong password (WRONG_PASSWORD)
 * before the KDF runs; the MAC, keyed from the data key, detects deliberate edits of any byte.
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
export const CHECKSUM_BYTES = 32;
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

/** A parsed file: every part located, nothing decrypted. */
export interface ParsedVaultFile {
  readonly header: VaultHeader;
  /** The 76 raw header bytes (AAD material). */
  readonly headerBytes: Buffer;
  readonly keyBlock: { readonly nonce: Buffer; readonly sealed: Buffer };
  readonly index: { readonly nonce: Buffer; readonly sealed: Buffer };
  /** Value records keyed by the value id in hex. */
  readonly values: Map<string, SealedValue>;
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
 * Checks structure and checksum and locates every part. Throws VAULT_CORRUPT at the first
 * malformed byte and VAULT_VERSION_UNSUPPORTED for another version. No key is needed.
 */
export function parseVaultFile(file: Buffer): ParsedVaultFile {
  checkMagicAndVersion(file);
  const minimum = HEADER_BYTES + KEY_BLOCK_BYTES + NONCE_BYTES + 4 + TAG_BYTES + 4 + MAC_BYTES + CHECKSUM_BYTES;
  if (file.length < minimum) throw corrupt(`only ${file.length} bytes`);
  const body = file.subarray(0, file.length - CHECKSUM_BYTES);
  const checksum = createHash('sha256').update(body).digest();
  if (!checksum.equals(file.subarray(file.length - CHECKSUM_BYTES))) throw corrupt('checksum mismatch');

  const header = decodeHeader(file.subarray(0, HEADER_BYTES));
  let at = HEADER_BYTES;
  const end = body.length - MAC_BYTES;
  const take = (n: number, what: string): Buffer => {
    if (n < 0 || at + n > end) throw corrupt(`${what} runs past the end`);
    const slice = file.subarray(at, at + n);
    at += n;
    return slice;
  };
  const keyBlock = { nonce: take(NONCE_BYTES, 'key block'), sealed: take(32 + TAG_BYTES, 'key block') };
  const indexNonce = take(NONCE_BYTES, 'index');
  const indexLength = take(4, 'index length').readUInt32BE(0);
  if (indexLength < TAG_BYTES) throw corrupt('index too short');
  const index = { nonce: indexNonce, sealed: take(indexLength, 'index') };
  const count = take(4, 'value count').readUInt32BE(0);
  const values = new Map<string, SealedValue>();
  for (let i = 0; i < count; i++) {
    const id = take(ID_BYTES, 'value record').toString('hex');
    const nonce = take(NONCE_BYTES, 'value record');
    const n = take(4, 'value record').readUInt32BE(0);
    if (n < TAG_BYTES) throw corrupt('value record too short');
    if (values.has(id)) throw corrupt('duplicate value record');
    values.set(id, { nonce, sealed: take(n, 'value record') });
  }
  if (at !== end) throw corrupt('unexpected bytes after the value records');
  return {
    header,
    headerBytes: file.subarray(0, HEADER_BYTES),
    keyBlock,
    index,
    values,
    macInput: file.subarray(0, end),
    mac: file.subarray(end, end + MAC_BYTES),
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
 * Lays out a whole file. `mac` computes the MAC over the bytes it is given (the caller holds the key).
 */
export function layoutVaultFile(parts: {
  headerBytes: Buffer;
  keyBlock: { nonce: Buffer; sealed: Buffer };
  index: { nonce: Buffer; sealed: Buffer };
  values: Iterable<[string, SealedValue]>;
  mac: (macInput: Buffer) => Buffer;
}): Buffer {
  const chunks: Buffer[] = [parts.headerBytes, parts.keyBlock.nonce, parts.keyBlock.sealed, parts.index.nonce];
  const u32 = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  chunks.push(u32(parts.index.sealed.length), parts.index.sealed);
  const countAt = chunks.length;
  chunks.push(Buffer.alloc(4));
  let count = 0;
  for (const [id, v] of parts.values) {
    chunks.push(Buffer.from(id, 'hex'), v.nonce, u32(v.sealed.length), v.sealed);
    count++;
  }
  chunks[countAt] = u32(count);
  const macInput = Buffer.concat(chunks);
  const mac = parts.mac(macInput);
  const withMac = Buffer.concat([macInput, mac]);
  const checksum = createHash('sha256').update(withMac).digest();
  return Buffer.concat([withMac, checksum]);
}

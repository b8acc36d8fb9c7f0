/**
 * An attacker who knows the password (or a bug) re-sealing a modified vault file: recomputes the
 * header check and the MAC so that only the inner protections (AAD binding) stand in the way.
 */
import { createHash, createHmac } from 'node:crypto';
import { deriveKey } from '../../main/core/crypto/kdf';
import { deriveSubkey } from '../../main/core/crypto/subkeys';
import { xchachaOpen } from '../../main/core/crypto/xchacha20poly1305';
import {
  HEADER_BYTES,
  HEADER_CHECK_BYTES,
  KEY_BLOCK_BYTES,
  keyBlockAad,
  MAC_BYTES,
  parseVaultFile,
  sealedAt,
  type SealedValue,
} from '../../main/core/vault/format';

/** Recomputes only the unkeyed header check (an edit by someone without the key). */
export function fixHeaderCheck(file: Buffer): Buffer {
  const out = Buffer.from(file);
  const checked = HEADER_BYTES + KEY_BLOCK_BYTES;
  createHash('sha256').update(out.subarray(0, checked)).digest().copy(out, checked, 0, HEADER_CHECK_BYTES);
  return out;
}

/** The data key of a vault file, from its password. */
export async function dataKeyOf(file: Buffer, password: string): Promise<Buffer> {
  const parsed = parseVaultFile(file);
  const kek = await deriveKey(Buffer.from(password), parsed.header.salt, parsed.header.kdf);
  const dk = xchachaOpen(kek, parsed.keyBlock.nonce, parsed.keyBlock.sealed, keyBlockAad(parsed.headerBytes));
  if (!dk) throw new Error('wrong password');
  return dk;
}

/** Recomputes the MAC of a file whose MAC-covered bytes are `macInput`. */
export function reseal(macInput: Buffer, dataKey: Buffer): Buffer {
  const mac = createHmac('sha256', deriveSubkey(dataKey, 'fileMac')).update(macInput).digest();
  return Buffer.concat([macInput, mac]);
}

/** The key-encryption key of a file, from its password (one KDF, reusable across altered copies). */
export async function kekOf(file: Buffer, password: string): Promise<Buffer> {
  const parsed = parseVaultFile(file);
  return deriveKey(Buffer.from(password), parsed.header.salt, parsed.header.kdf);
}

export { MAC_BYTES };

/** MAC-covered bytes of `file` with its value records replaced by `values` (in order). */
export function withValues(
  file: Buffer,
  values: Iterable<[string, { nonce: Buffer; sealed: Buffer }]>,
): Buffer {
  const parsed = parseVaultFile(file);
  // The u32 count precedes the value region.
  const countAt = parsed.values.bytes.byteOffset - file.byteOffset - 4;
  const parts: Buffer[] = [file.subarray(0, countAt)];
  const list = [...values];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(list.length);
  parts.push(count);
  for (const [id, v] of list) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(v.sealed.length);
    parts.push(Buffer.from(id, 'hex'), v.nonce, len, v.sealed);
  }
  return Buffer.concat(parts);
}

/** The value records of a file, by value id (hex), in file order. */
export function valueRecords(file: Buffer): Map<string, SealedValue> {
  const { values } = parseVaultFile(file);
  const out = new Map<string, SealedValue>();
  for (const offset of values.offsets.values()) {
    out.set(values.bytes.toString('hex', offset - 16, offset), sealedAt(values.bytes, offset));
  }
  return out;
}

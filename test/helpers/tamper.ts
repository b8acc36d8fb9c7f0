/**
 * An attacker who knows the password (or a bug) re-sealing a modified vault file: recomputes the
 * MAC and checksum so that only the inner protections (AAD binding) stand in the way.
 */
import { createHash, createHmac } from 'node:crypto';
import { deriveKey } from '../../main/core/crypto/kdf';
import { deriveSubkey } from '../../main/core/crypto/subkeys';
import { xchachaOpen } from '../../main/core/crypto/xchacha20poly1305';
import { CHECKSUM_BYTES, keyBlockAad, MAC_BYTES, parseVaultFile } from '../../main/core/vault/format';

/** Recomputes only the trailing SHA-256 checksum (an edit by someone without the key). */
export function fixChecksum(file: Buffer): Buffer {
  const body = file.subarray(0, file.length - CHECKSUM_BYTES);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** The data key of a vault file, from its password. */
export async function dataKeyOf(file: Buffer, password: string): Promise<Buffer> {
  const parsed = parseVaultFile(file);
  const kek = await deriveKey(Buffer.from(password), parsed.header.salt, parsed.header.kdf);
  const dk = xchachaOpen(kek, parsed.keyBlock.nonce, parsed.keyBlock.sealed, keyBlockAad(parsed.headerBytes));
  if (!dk) throw new Error('wrong password');
  return dk;
}

/** Recomputes the MAC and checksum of a file whose MAC-covered bytes are `macInput`. */
export function reseal(macInput: Buffer, dataKey: Buffer): Buffer {
  const mac = createHmac('sha256', deriveSubkey(dataKey, 'fileMac')).update(macInput).digest();
  return fixChecksum(Buffer.concat([macInput, mac, Buffer.alloc(CHECKSUM_BYTES)]));
}

export { MAC_BYTES };

/** MAC-covered bytes of `file` with its value records replaced by `values` (in order). */
export function withValues(file: Buffer, values: Iterable<[string, { nonce: Buffer; sealed: Buffer }]>): Buffer {
  const parsed = parseVaultFile(file);
  const first = [...parsed.values.values()][0];
  if (!first) throw new Error('no value records');
  // Records start 16 bytes (the id) before the first nonce; the u32 count precedes them.
  const countAt = first.nonce.byteOffset - file.byteOffset - 16 - 4;
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

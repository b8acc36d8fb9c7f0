/**
 * XChaCha20-Poly1305 (IETF variant, draft-irtf-cfrg-xchacha-03) built on Node's native
 * ChaCha20-Poly1305: HChaCha20 derives a subkey from the key and the first 16 nonce bytes, then
 * ChaCha20-Poly1305 (RFC 8439) runs with the nonce 0x00000000 || nonce[16..24].
 *
 * Output is byte-identical to libsodium's crypto_aead_xchacha20poly1305_ietf_encrypt (ciphertext
 * followed by the 16-byte tag); test/unit/crypto-xchacha.test.ts proves it against libsodium and
 * the draft's test vector. We use it instead of libsodium-wrappers because loading libsodium's
 * WebAssembly costs about 35 ms per process — more than the whole start-up budget of the CLI —
 * and because it is about 5× faster on large buffers (the index). On 64-byte values it is about
 * 5× slower per call (cipher set-up), which is microseconds per read (see BENCHMARKS.md).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { wipe } from './secret';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function rotl(v: number, n: number): number {
  return (v << n) | (v >>> (32 - n));
}

/** HChaCha20(key, nonce16) → 32-byte subkey. */
export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Buffer {
  if (key.length !== KEY_BYTES || nonce16.length !== 16)
    throw new RangeError('hchacha20: bad key or nonce length');
  const k = Buffer.from(key.buffer, key.byteOffset, key.length);
  const n = Buffer.from(nonce16.buffer, nonce16.byteOffset, nonce16.length);
  const s = new Uint32Array(16);
  s[0] = SIGMA[0]!;
  s[1] = SIGMA[1]!;
  s[2] = SIGMA[2]!;
  s[3] = SIGMA[3]!;
  for (let i = 0; i < 8; i++) s[4 + i] = k.readUInt32LE(i * 4);
  for (let i = 0; i < 4; i++) s[12 + i] = n.readUInt32LE(i * 4);
  const qr = (a: number, b: number, c: number, d: number): void => {
    s[a] = s[a]! + s[b]!;
    s[d] = rotl(s[d]! ^ s[a], 16);
    s[c] = s[c]! + s[d];
    s[b] = rotl(s[b]! ^ s[c], 12);
    s[a] = s[a] + s[b];
    s[d] = rotl(s[d] ^ s[a], 8);
    s[c] = s[c] + s[d];
    s[b] = rotl(s[b] ^ s[c], 7);
  };
  for (let round = 0; round < 10; round++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  const out = Buffer.allocUnsafe(32);
  for (let i = 0; i < 4; i++) out.writeUInt32LE(s[i]!, i * 4);
  for (let i = 0; i < 4; i++) out.writeUInt32LE(s[12 + i]!, 16 + i * 4);
  s.fill(0);
  return out;
}

function subkeyAndNonce(key: Uint8Array, nonce: Uint8Array): [Buffer, Buffer] {
  if (key.length !== KEY_BYTES) throw new RangeError('xchacha20poly1305: key must be 32 bytes');
  if (nonce.length !== NONCE_BYTES) throw new RangeError('xchacha20poly1305: nonce must be 24 bytes');
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const iv = Buffer.alloc(12);
  iv.set(nonce.subarray(16, 24), 4);
  return [subkey, iv];
}

/** Encrypts `plaintext`; returns ciphertext || tag (libsodium's "combined" form). */
export function xchachaSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  const [subkey, iv] = subkeyAndNonce(key, nonce);
  try {
    const cipher = createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    const body = cipher.update(plaintext);
    cipher.final();
    return Buffer.concat([body, cipher.getAuthTag()]);
  } finally {
    wipe(subkey);
  }
}

/**
 * Decrypts ciphertext || tag. Returns the plaintext, or undefined when the tag does not verify
 * (wrong key, wrong associated data, or altered bytes) — callers turn that into the right error.
 */
export function xchachaOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Buffer | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  const [subkey, iv] = subkeyAndNonce(key, nonce);
  try {
    const decipher = createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad, { plaintextLength: sealed.length - TAG_BYTES });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    try {
      decipher.final();
    } catch {
      wipe(plain);
      return undefined;
    }
    return plain;
  } finally {
    wipe(subkey);
  }
}

/**
 * Seals plaintext given as chunks, calling `between()` after each chunk so a long encryption can
 * share the event loop. Returns the ciphertext chunks followed by the tag: concatenated they equal
 * xchachaSeal of the concatenated plaintext.
 */
export async function xchachaSealChunks(
  key: Uint8Array,
  nonce: Uint8Array,
  chunks: readonly Uint8Array[],
  aad: Uint8Array,
  between: () => Promise<void>,
): Promise<Buffer[]> {
  const [subkey, iv] = subkeyAndNonce(key, nonce);
  try {
    const cipher = createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad, { plaintextLength: chunks.reduce((n, c) => n + c.length, 0) });
    const out: Buffer[] = [];
    for (const chunk of chunks) {
      out.push(cipher.update(chunk));
      await between();
    }
    cipher.final();
    out.push(cipher.getAuthTag());
    return out;
  } finally {
    wipe(subkey);
  }
}

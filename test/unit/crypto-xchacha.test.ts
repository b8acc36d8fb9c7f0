import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { hchacha20, xchachaOpen, xchachaSeal } from '../../main/core/crypto/xchacha20poly1305';
import { sodium } from '../helpers/sodium';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('HChaCha20 matches draft-irtf-cfrg-xchacha-03 section 2.2.1', () => {
  const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const nonce = hex('000000090000004a0000000031415927');
  assert.equal(
    hchacha20(key, nonce).toString('hex'),
    '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc',
  );
});

test('XChaCha20-Poly1305 matches the draft-irtf-cfrg-xchacha-03 A.3.1 test vector and libsodium', async () => {
  const s = await sodium();
  const plaintext = Buffer.from(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const aad = hex('50515253c0c1c2c3c4c5c6c7');
  const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
  const expected =
    'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb' +
    '731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
    '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9' +
    '21f9664c97637da9768812f615c68b13b52e' +
    'c0875924c1c7987947deafd8780acf49';
  const ours = xchachaSeal(key, nonce, plaintext, aad);
  const theirs = Buffer.from(s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, null, nonce, key));
  assert.equal(ours.toString('hex'), expected);
  assert.equal(theirs.toString('hex'), expected);
  assert.deepEqual(xchachaOpen(key, nonce, ours, aad), plaintext);
});

test('our XChaCha20-Poly1305 is byte-identical to libsodium for random keys, nonces, lengths and AAD', async () => {
  const s = await sodium();
  for (const length of [0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1000, 4096, 65_537]) {
    const key = randomBytes(32);
    const nonce = randomBytes(24);
    const aad = randomBytes(length % 50);
    const plain = randomBytes(length);
    const ours = xchachaSeal(key, nonce, plain, aad);
    const theirs = Buffer.from(s.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, aad, null, nonce, key));
    assert.ok(ours.equals(theirs), `length ${length}`);
    assert.deepEqual(
      Buffer.from(s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ours, aad, nonce, key)),
      plain,
    );
    assert.deepEqual(xchachaOpen(key, nonce, theirs, aad), plain);
  }
});

test('a flipped bit in ciphertext, tag, nonce, key or AAD makes decryption fail', () => {
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const aad = Buffer.from('aad');
  const sealed = xchachaSeal(key, nonce, Buffer.from('secret value'), aad);
  for (let i = 0; i < sealed.length * 8; i++) {
    const bad = Buffer.from(sealed);
    bad[i >> 3]! ^= 1 << (i & 7);
    assert.equal(xchachaOpen(key, nonce, bad, aad), undefined, `bit ${i}`);
  }
  const badNonce = Buffer.from(nonce);
  badNonce[23]! ^= 1;
  assert.equal(xchachaOpen(key, badNonce, sealed, aad), undefined);
  const badKey = Buffer.from(key);
  badKey[0]! ^= 1;
  assert.equal(xchachaOpen(badKey, nonce, sealed, aad), undefined);
  assert.equal(xchachaOpen(key, nonce, sealed, Buffer.from('aae')), undefined);
  assert.equal(xchachaOpen(key, nonce, sealed.subarray(0, 10), aad), undefined);
});

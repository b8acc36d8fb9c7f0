import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkKdfParams,
  deriveKey,
  KDF_CEILING,
  KDF_FLOOR,
  kdfInvocationCount,
} from '../../main/core/crypto/kdf';
import { Secret } from '../../main/core/crypto/secret';
import { inspect } from 'node:util';
import { sodium } from '../helpers/sodium';

test('Argon2id output equals libsodium crypto_pwhash at the same parameters (p = 1)', async () => {
  const s = await sodium();
  const salt = Buffer.alloc(16, 7);
  const password = Buffer.from('correct horse battery staple');
  const ours = await deriveKey(password, salt, KDF_FLOOR);
  const theirs = Buffer.from(
    s.crypto_pwhash(
      32,
      password,
      salt,
      KDF_FLOOR.iterations,
      KDF_FLOOR.memoryKiB * 1024,
      s.crypto_pwhash_ALG_ARGON2ID13,
    ),
  );
  assert.ok(ours.equals(theirs));
});

test('a composed and a decomposed Unicode password derive the same key (NFC)', async () => {
  const salt = Buffer.alloc(16, 1);
  const composed = await deriveKey(Buffer.from('caf\u00e9-passphrase'), salt, KDF_FLOOR);
  const decomposed = await deriveKey(Buffer.from('cafe\u0301-passphrase'), salt, KDF_FLOOR);
  assert.ok(composed.equals(decomposed));
});

test('KDF parameters below the floor or above the ceiling are refused before any hashing', async () => {
  const cases = [
    { ...KDF_FLOOR, memoryKiB: KDF_FLOOR.memoryKiB - 1 },
    { ...KDF_FLOOR, memoryKiB: 8 },
    { ...KDF_FLOOR, iterations: 1 },
    { ...KDF_FLOOR, iterations: 0 },
    { ...KDF_FLOOR, parallelism: 0 },
    { ...KDF_FLOOR, parallelism: 4 },
    { ...KDF_FLOOR, memoryKiB: KDF_CEILING.memoryKiB + 1 },
    { ...KDF_FLOOR, memoryKiB: 0xffffffff },
    { ...KDF_FLOOR, iterations: 0xffffffff },
    { ...KDF_FLOOR, memoryKiB: KDF_CEILING.memoryKiB, iterations: 60 },
    { ...KDF_FLOOR, memoryKiB: 1.5 * KDF_FLOOR.memoryKiB + 0.5 },
  ];
  for (const params of cases) {
    const before = kdfInvocationCount();
    await assert.rejects(deriveKey(Buffer.from('pw'), Buffer.alloc(16), params), {
      code: 'KDF_PARAMS_REFUSED',
    });
    assert.equal(kdfInvocationCount(), before, JSON.stringify(params));
    assert.throws(() => checkKdfParams(params), { code: 'KDF_PARAMS_REFUSED' });
  }
});

test('the KDF runs off the JavaScript thread: timers keep firing while it works', async () => {
  let ticks = 0;
  let worstGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
    ticks++;
  }, 5);
  await deriveKey(Buffer.from('password'), Buffer.alloc(16), { ...KDF_FLOOR, iterations: 6 });
  clearInterval(timer);
  assert.ok(ticks >= 5, `only ${ticks} ticks`);
  assert.ok(worstGap < 100, `event loop stalled ${worstGap.toFixed(0)} ms`);
});

test('a Secret never prints its value', () => {
  const s = Secret.fromString('CANARY-value-1234');
  for (const shown of [
    String(s),
    `${String(s)}`,
    JSON.stringify({ s }),
    inspect(s),
    inspect({ nested: { s } }),
  ]) {
    assert.ok(!shown.includes('CANARY'), shown);
  }
  assert.equal(s.reveal().toString(), 'CANARY-value-1234');
  const bytes = s.reveal();
  s.dispose();
  assert.ok(bytes.every((b) => b === 0));
  assert.throws(() => s.reveal());
});

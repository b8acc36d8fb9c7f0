import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { kdfInvocationCount } from '../../main/core/crypto/kdf';
import { Secret } from '../../main/core/crypto/secret';
import {
  HEADER_BYTES,
  HEADER_CHECK_BYTES,
  KEY_BLOCK_BYTES,
  parseVaultFile,
} from '../../main/core/vault/format';
import { parseFieldRef } from '../../main/core/vault/ref';
import { Vault } from '../../main/core/vault/vault';
import { VaultStore } from '../../main/core/vault/vault-store';
import { FAST_KDF } from '../helpers/fast-kdf';
import { dataKeyOf, fixHeaderCheck, kekOf, reseal, valueRecords, withValues } from '../helpers/tamper';
import { tempHome } from '../helpers/temp-home';

const PASSWORD = 'correct horse battery staple';
const keyBytesOf = (): number => HEADER_BYTES + KEY_BLOCK_BYTES + HEADER_CHECK_BYTES;
const pw = (): Buffer => Buffer.from(PASSWORD);
const ref = (s: string) => parseFieldRef(s);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('the vault file', () => {
  const t = tempHome();
  let store: VaultStore;
  let small: Buffer;

  before(async () => {
    store = new VaultStore(t.home);
    const v = await store.create(pw(), FAST_KDF);
    v.close();
    await store.change(pw(), (vault) => {
      vault.setField(ref('payments/development/stripe/secret_key'), Secret.fromString('sk_test_CANARY'));
      vault.setField(ref('payments/staging/db/url'), Secret.fromString('postgres://u:p@db.staging:5432/x'));
    });
    small = readFileSync(store.paths.vault);
  });
  after(() => t.cleanup());

  test('many items round-trip through save and open', async () => {
    const home = tempHome();
    try {
      const s = new VaultStore(home.home);
      (await s.create(pw(), FAST_KDF)).close();
      await s.change(pw(), (vault) => {
        for (let i = 0; i < 500; i++) {
          for (const f of ['a', 'b', 'c']) {
            vault.setField(
              ref(`p${i % 7}/development/item${i}/${f}`),
              Secret.fromString(`value-${i}-${f}-\u00e9\n`),
            );
          }
        }
      });
      const vault = await s.open(pw());
      assert.equal(vault.itemCount, 500);
      for (let i = 0; i < 500; i++) {
        for (const f of ['a', 'b', 'c']) {
          const secret = vault.readField(ref(`p${i % 7}/development/item${i}/${f}`));
          assert.equal(secret.reveal().toString('utf8'), `value-${i}-${f}-\u00e9\n`);
          secret.dispose();
        }
      }
      assert.equal(vault.generation, 2);
      vault.close();
    } finally {
      home.cleanup();
    }
  });

  test('every save increases the generation and keeps the previous one as the backup', async () => {
    const home = tempHome();
    try {
      const s = new VaultStore(home.home);
      (await s.create(pw(), FAST_KDF)).close();
      for (let g = 2; g <= 4; g++) {
        await s.change(pw(), (v) => v.setField(ref(`x/development/i/f`), Secret.fromString(`v${g}`)));
        assert.equal(s.readHeader().generation, g);
        assert.equal(parseVaultFile(readFileSync(s.paths.backup)).header.generation, g - 1);
      }
    } finally {
      home.cleanup();
    }
  });

  test('a wrong password is WRONG_PASSWORD and leaves the file byte-identical', async () => {
    const before = readFileSync(store.paths.vault);
    assert.equal(
      await codeOf(store.change(Buffer.from('wrong password'), () => undefined)),
      'WRONG_PASSWORD',
    );
    assert.equal(await codeOf(store.open(Buffer.from(''))), 'WRONG_PASSWORD');
    assert.ok(readFileSync(store.paths.vault).equals(before));
  });

  test('a corrupt vault is VAULT_CORRUPT for a change too, and the file stays byte-identical', async () => {
    const home = tempHome();
    try {
      const s = new VaultStore(home.home);
      (await s.create(pw(), FAST_KDF)).close();
      await s.change(pw(), (v) => v.setField(ref('a/development/b/c'), Secret.fromString('value')));
      const bytes = readFileSync(s.paths.vault);
      bytes[bytes.length - 5]! ^= 0x10;
      writeFileSync(s.paths.vault, bytes, { mode: 0o600 });
      let called = false;
      assert.equal(
        await codeOf(
          s.change(pw(), () => {
            called = true;
          }),
        ),
        'VAULT_CORRUPT',
      );
      assert.equal(called, false);
      assert.ok(readFileSync(s.paths.vault).equals(bytes));
    } finally {
      home.cleanup();
    }
  });

  test('a password change re-wraps the data key only: the items are byte-identical', async () => {
    const home = tempHome();
    try {
      const s = new VaultStore(home.home);
      (await s.create(pw(), FAST_KDF)).close();
      await s.change(pw(), (v) => v.setField(ref('a/development/b/c'), Secret.fromString('value')));
      const beforeBytes = readFileSync(s.paths.vault);
      await s.change(pw(), (v) => v.changePassword(Buffer.from('a brand new passphrase')));
      const afterBytes = readFileSync(s.paths.vault);
      const [beforeValues, afterValues] = [valueRecords(beforeBytes), valueRecords(afterBytes)];
      assert.deepEqual([...afterValues.keys()], [...beforeValues.keys()]);
      for (const [id, v] of afterValues) assert.ok(v.sealed.equals(beforeValues.get(id)!.sealed));
      assert.ok(!parseVaultFile(afterBytes).header.salt.equals(parseVaultFile(beforeBytes).header.salt));
      assert.equal(await codeOf(s.open(pw())), 'WRONG_PASSWORD');
      const v = await s.open(Buffer.from('a brand new passphrase'));
      assert.equal(v.readField(ref('a/development/b/c')).reveal().toString(), 'value');
      v.close();
    } finally {
      home.cleanup();
    }
  });

  test('truncation at every length is VAULT_CORRUPT, found before the KDF runs', async () => {
    const kdfBefore = kdfInvocationCount();
    for (let n = 0; n < small.length; n++) {
      assert.equal(await codeOf(Vault.open(small.subarray(0, n), pw())), 'VAULT_CORRUPT', `length ${n}`);
    }
    assert.equal(kdfInvocationCount(), kdfBefore);
  });

  test('a flipped bit anywhere is detected: before the KDF in the header and key block, by the MAC elsewhere', async () => {
    const kek = await kekOf(small, PASSWORD);
    const kdfBefore = kdfInvocationCount();
    const keyBytes = HEADER_BYTES + KEY_BLOCK_BYTES + HEADER_CHECK_BYTES;
    for (let i = 0; i < small.length * 8; i++) {
      const bad = Buffer.from(small);
      bad[i >> 3]! ^= 1 << (i & 7);
      let code = 'OK';
      try {
        const parsed = parseVaultFile(bad);
        // Past the pre-KDF checks: only bytes after the key material may get here.
        assert.ok(i >> 3 >= keyBytes, `bit ${i} in the header or key block passed the header check`);
        Vault.openWithKek(parsed, kek).close();
      } catch (error) {
        code = (error as { code?: string }).code ?? String(error);
      }
      // Bits of the version field announce another version instead.
      const expected = i >> 3 === 8 || i >> 3 === 9 ? 'VAULT_VERSION_UNSUPPORTED' : 'VAULT_CORRUPT';
      assert.equal(code, expected, `bit ${i}`);
    }
    assert.equal(kdfInvocationCount(), kdfBefore);
  });

  test('a damaged body reports VAULT_CORRUPT, not WRONG_PASSWORD, through the full open', async () => {
    for (const at of [keyBytesOf() + 10, small.length - 100, small.length - 40, small.length - 1]) {
      const bad = Buffer.from(small);
      bad[at]! ^= 0x40;
      assert.equal(await codeOf(Vault.open(bad, pw())), 'VAULT_CORRUPT', `byte ${at}`);
    }
  });

  test('a deliberate edit with a recomputed header check still never opens', async () => {
    // Header bytes: lowered/absurd KDF is refused, other header edits fail the key unwrap or the MAC.
    // Body bytes: the MAC (keyed from the data key) catches them.
    const positions = [
      12,
      13,
      14,
      20,
      30,
      50,
      62,
      70,
      HEADER_BYTES + 5,
      HEADER_BYTES + 40,
      keyBytesOf() + 30,
      HEADER_BYTES + 120,
      small.length - 100,
      small.length - 60,
      small.length - 40,
    ];
    for (const at of positions) {
      const bad = Buffer.from(small);
      bad[at]! ^= 0x01;
      const code = await codeOf(Vault.open(fixHeaderCheck(bad), pw()));
      assert.ok(
        ['VAULT_CORRUPT', 'WRONG_PASSWORD', 'KDF_PARAMS_REFUSED'].includes(code),
        `byte ${at} opened (${code})`,
      );
    }
  });

  test('downgraded and absurd KDF parameters are refused before the KDF runs', async () => {
    const edits: [number, number][] = [
      [16, 1024], // 1 MiB
      [16, 65535], // one KiB under the floor
      [20, 1], // one pass
      [24, 4], // four lanes
      [16, 0xffffffff], // 4 TiB
      [20, 0xffffffff],
    ];
    for (const [offset, value] of edits) {
      const bad = Buffer.from(small);
      bad.writeUInt32BE(value, offset);
      const before = kdfInvocationCount();
      const started = Date.now();
      assert.equal(await codeOf(Vault.open(fixHeaderCheck(bad), pw())), 'KDF_PARAMS_REFUSED');
      assert.equal(kdfInvocationCount(), before);
      assert.ok(Date.now() - started < 1000);
    }
  });

  test('a raised but allowed KDF parameter does not open either (the header is bound to the key)', async () => {
    const bad = Buffer.from(small);
    bad.writeUInt32BE(FAST_KDF.iterations + 1, 20);
    assert.equal(await codeOf(Vault.open(fixHeaderCheck(bad), pw())), 'WRONG_PASSWORD');
  });

  test('an unknown format version is VAULT_VERSION_UNSUPPORTED', async () => {
    for (const version of [0, 2, 255, 65535]) {
      const bad = Buffer.from(small);
      bad.writeUInt16BE(version, 8);
      assert.equal(await codeOf(Vault.open(fixHeaderCheck(bad), pw())), 'VAULT_VERSION_UNSUPPORTED');
    }
  });

  test("an item's ciphertext moved to another item is rejected even with a valid MAC", async () => {
    const entries = [...valueRecords(small).entries()];
    assert.equal(entries.length, 2);
    const [[idA, a], [idB, b]] = entries as [
      [string, (typeof entries)[0][1]],
      [string, (typeof entries)[0][1]],
    ];
    // Keep the ids, swap the sealed payloads, and re-seal the file with the real key.
    const file = reseal(
      withValues(small, [
        [idA, b],
        [idB, a],
      ]),
      await dataKeyOf(small, PASSWORD),
    );
    const vault = await Vault.open(file, pw());
    assert.throws(() => vault.readField(ref('payments/development/stripe/secret_key')), {
      code: 'VAULT_CORRUPT',
    });
    assert.throws(() => vault.readField(ref('payments/staging/db/url')), { code: 'VAULT_CORRUPT' });
    vault.close();
  });

  test("an item's ciphertext moved into another vault is rejected", async () => {
    const other = tempHome();
    try {
      const s = new VaultStore(other.home);
      (await s.create(pw(), FAST_KDF)).close();
      await s.change(pw(), (v) =>
        v.setField(ref('payments/development/stripe/secret_key'), Secret.fromString('other')),
      );
      const theirsFile = readFileSync(s.paths.vault);
      const [theirId] = [...valueRecords(theirsFile).keys()];
      const mine = [...valueRecords(small).values()][0]!;
      const file = reseal(withValues(theirsFile, [[theirId!, mine]]), await dataKeyOf(theirsFile, PASSWORD));
      const vault = await Vault.open(file, pw());
      assert.throws(() => vault.readField(ref('payments/development/stripe/secret_key')), {
        code: 'VAULT_CORRUPT',
      });
      vault.close();
    } finally {
      other.cleanup();
    }
  });

  test('the planted canary value appears nowhere in the file, the backup or the index in plaintext', () => {
    for (const path of [store.paths.vault, store.paths.backup]) {
      const bytes = readFileSync(path);
      for (const needle of ['CANARY', 'sk_test', 'stripe', 'payments', 'secret_key', 'db.staging']) {
        assert.equal(bytes.indexOf(needle), -1, `${needle} in ${path}`);
      }
    }
  });

  test('an edited file replaced on disk while open is not overwritten (VAULT_CHANGED)', async () => {
    const home = tempHome();
    try {
      const s = new VaultStore(home.home);
      (await s.create(pw(), FAST_KDF)).close();
      const vault = await s.open(pw());
      await s.change(pw(), (v) => v.setField(ref('a/development/b/c'), Secret.fromString('first')));
      const onDisk = readFileSync(s.paths.vault);
      vault.setField(ref('a/development/b/d'), Secret.fromString('second'));
      await assert.rejects(s.save(vault), { code: 'VAULT_CHANGED' });
      assert.ok(readFileSync(s.paths.vault).equals(onDisk));
      vault.close();
    } finally {
      home.cleanup();
    }
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VaultSession } from '../../main/core/agent/vault-session';
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import { VaultStore } from '../../main/core/vault/vault-store';
import { FAST_KDF } from '../helpers/fast-kdf';
import { tempHome } from '../helpers/temp-home';

const PW = 'session test passphrase';

test('a lock that lands during a save lets the save finish with its key: the file stays whole', async () => {
  const t = tempHome();
  try {
    const store = new VaultStore(t.home);
    (await store.create(Buffer.from(PW), FAST_KDF)).close();
    const session = new VaultSession(store, { lockAfterMs: 0 });
    await session.unlock(Buffer.from(PW));
    const realSave = store.save.bind(store);
    store.save = async (vault, hook) => {
      session.lock('during save');
      assert.equal(session.locked, true);
      return realSave(vault, hook);
    };
    await session.change((vault) => vault.setField(parseFieldRef('a/development/b/c'), Secret.fromString('saved')));
    store.save = realSave;
    const reopened = await store.open(Buffer.from(PW));
    assert.equal(reopened.readField(parseFieldRef('a/development/b/c')).reveal().toString(), 'saved');
    reopened.close();
  } finally {
    t.cleanup();
  }
});

test('a lock that lands while a change is being prepared stops the save and answers LOCKED', async () => {
  const t = tempHome();
  try {
    const store = new VaultStore(t.home);
    (await store.create(Buffer.from(PW), FAST_KDF)).close();
    const before = store.readHeader().generation;
    const session = new VaultSession(store, { lockAfterMs: 0 });
    await session.unlock(Buffer.from(PW));
    await assert.rejects(
      session.change((vault) => {
        vault.setField(parseFieldRef('a/development/b/c'), Secret.fromString('never saved'));
        session.lock('mid-change');
      }),
      { code: 'LOCKED' },
    );
    assert.equal(store.readHeader().generation, before);
  } finally {
    t.cleanup();
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import { VaultStore } from '../../main/core/vault/vault-store';
import { acquireWriterLock } from '../../main/core/vault/writer-lock';
import { FAST_KDF } from '../helpers/fast-kdf';
import { LOOP_REF } from '../helpers/save-loop';
import { tempHome } from '../helpers/temp-home';

const PASSWORD = 'durable passphrase';
const LOOP = join(__dirname, '..', 'helpers', 'save-loop.js');

function startLoop(
  home: string,
  extra: string[] = [],
): Promise<{ kill: () => Promise<void>; exited: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOOP, home, PASSWORD, ...extra], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    child.on('error', reject);
    child.stdout.once('data', () =>
      resolve({
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
        exited,
      }),
    );
  });
}

async function checkWholeGeneration(store: VaultStore): Promise<number> {
  const vault = await store.open(Buffer.from(PASSWORD));
  try {
    const g = vault.generation;
    if (g > 1) {
      const s = vault.readField(parseFieldRef(LOOP_REF));
      assert.equal(s.reveal().toString(), `value-for-generation-${g}`);
      s.dispose();
    }
    return g;
  } finally {
    vault.close();
  }
}

describe('durability', () => {
  const t = tempHome();
  let store: VaultStore;
  before(async () => {
    store = new VaultStore(t.home);
    (await store.create(Buffer.from(PASSWORD), FAST_KDF)).close();
  });
  after(() => t.cleanup());

  test('SIGKILL at random moments during hundreds of saves always leaves a vault that opens at a whole generation', async () => {
    let last = 1;
    let kills = 0;
    const startGeneration = store.readHeader().generation;
    while (kills < 25) {
      const loop = await startLoop(t.home);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 150));
      await loop.kill();
      kills++;
      const g = await checkWholeGeneration(store);
      assert.ok(g >= last, `generation went back from ${last} to ${g}`);
      last = g;
    }
    assert.ok(last - startGeneration >= 200, `only ${last - startGeneration} saves happened`);
  });

  test('death at each step of a save leaves the old or the new generation, never neither', async () => {
    for (const step of ['temp-written', 'backup-linked', 'renamed', 'dir-synced']) {
      const before = store.readHeader().generation;
      const loop = await startLoop(t.home, [step, '3']);
      await loop.exited;
      const g = await checkWholeGeneration(store);
      // Two saves completed; the third died at `step`.
      const expected = step === 'temp-written' || step === 'backup-linked' ? before + 2 : before + 3;
      assert.equal(g, expected, `died at ${step}`);
    }
    const leftovers = readdirSync(t.home).filter((f) => f.endsWith('.tmp'));
    assert.ok(leftovers.length <= 2, `temp files left: ${leftovers.join(', ')}`);
  });

  test('a second writer gets VAULT_BUSY while the first holds the lock', async () => {
    const holder = await startLoop(t.home);
    try {
      await assert.rejects(
        store.change(Buffer.from(PASSWORD), () => undefined),
        (e: { code?: string; message?: string }) =>
          e.code === 'VAULT_BUSY' && /process \d+/.test(e.message ?? ''),
      );
    } finally {
      await holder.kill();
    }
    // The killed holder's lock is stale and is taken over.
    await store.change(Buffer.from(PASSWORD), (v) =>
      v.setField(parseFieldRef('after/development/busy/ok'), Secret.fromString('yes')),
    );
  });

  test('concurrent writers in one process queue behind the lock and lose nothing', async () => {
    const lock = await acquireWriterLock(store.paths.lock);
    lock.release();
    await Promise.all(
      [1, 2, 3].map((i) =>
        store.change(Buffer.from(PASSWORD), (v) =>
          v.setField(parseFieldRef(`queue/development/item/f${i}`), Secret.fromString(`v${i}`)),
        ),
      ),
    );
    const vault = await store.open(Buffer.from(PASSWORD));
    for (const i of [1, 2, 3]) {
      assert.equal(
        vault
          .readField(parseFieldRef(`queue/development/item/f${i}`))
          .reveal()
          .toString(),
        `v${i}`,
      );
    }
    vault.close();
  });
});

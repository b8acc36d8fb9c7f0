import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  anchorAudit,
  AuditLog,
  readAuditAnchor,
  resetAuditAnchor,
  verifyAudit,
  type AuditEvent,
} from '../../main/core/audit';
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import type { Vault } from '../../main/core/vault/vault';
import { VaultStore } from '../../main/core/vault/vault-store';
import { FAST_KDF } from '../helpers/fast-kdf';
import { tempHome } from '../helpers/temp-home';

const pw = (): Buffer => Buffer.from('audit anchor passphrase');
const REF = 'lk://payments/development/stripe/secret_key';
const read = (i: number): AuditEvent => ({ op: 'read', who: { via: 'cli', pid: i }, ref: REF, result: 'ok' });

describe('the audit head anchored in the vault', () => {
  let t: ReturnType<typeof tempHome>;
  let store: VaultStore;
  let logPath: string;

  /** One vault change that records `n` reads and anchors the log before the save, as callers will. */
  async function readsThenSave(
    n: number,
    anchor: (vault: Vault, log: AuditLog) => string = anchorAudit,
  ): Promise<string> {
    return store.change(pw(), (vault: Vault) => {
      const log = AuditLog.open(t.home, vault.deriveAuditKey());
      try {
        for (let i = 0; i < n; i++) log.append(read(i));
        return anchor(vault, log);
      } finally {
        log.close();
      }
    });
  }

  async function verifyNow(): Promise<ReturnType<typeof verifyAudit>> {
    const vault = await store.open(pw());
    try {
      return verifyAudit(t.home, vault.deriveAuditKey(), readAuditAnchor(vault));
    } finally {
      vault.close();
    }
  }

  beforeEach(async () => {
    t = tempHome('latchkey-audit-anchor-');
    store = new VaultStore(t.home);
    (await store.create(pw(), FAST_KDF)).close();
    await store.change(pw(), (vault) =>
      vault.setField(parseFieldRef(REF), Secret.fromString('sk_test_anchor')),
    );
    logPath = join(t.home, 'audit.log');
  });
  afterEach(() => t.cleanup());

  test('the anchor is saved inside the vault and a log that grew since verifies', async () => {
    assert.equal(await readsThenSave(5), 'anchored');
    const vault = await store.open(pw());
    try {
      assert.equal(readAuditAnchor(vault)?.seq, 5);
      const log = AuditLog.open(t.home, vault.deriveAuditKey());
      log.append(read(6));
      log.close();
      assert.deepEqual(verifyAudit(t.home, vault.deriveAuditKey(), readAuditAnchor(vault)), {
        ok: true,
        lines: 6,
      });
    } finally {
      vault.close();
    }
  });

  test('lines cut from the end of the log after a save are reported as truncation', async () => {
    await readsThenSave(8);
    const lines = readFileSync(logPath, 'utf8').split('\n');
    writeFileSync(
      logPath,
      lines
        .slice(0, 5)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const report = await verifyNow();
    assert.equal(report.firstProblem?.kind, 'truncated');
  });

  test('a deleted log does not move the anchor back: the break stays visible until someone resets it', async () => {
    await readsThenSave(4);
    unlinkSync(logPath);
    assert.equal(await readsThenSave(2), 'kept');
    assert.equal((await verifyNow()).firstProblem?.kind, 'truncated');
    await readsThenSave(1, (vault, log) => resetAuditAnchor(vault, log).seq.toString());
    assert.deepEqual(await verifyNow(), { ok: true, lines: 3 });
  });

  test('the audit key is stable across opens of one vault', async () => {
    const a = await store.open(pw());
    const b = await store.open(pw());
    try {
      assert.ok(a.deriveAuditKey().equals(b.deriveAuditKey()));
    } finally {
      a.close();
      b.close();
    }
  });

  test('rolling back the vault and the log together is not detected (a documented limit)', async () => {
    await readsThenSave(3);
    const vaultCopy = join(t.dir, 'vault.copy');
    const logCopy = join(t.dir, 'audit.copy');
    copyFileSync(store.paths.vault, vaultCopy);
    copyFileSync(logPath, logCopy);
    await readsThenSave(4);
    copyFileSync(vaultCopy, store.paths.vault);
    copyFileSync(logCopy, logPath);
    assert.deepEqual(await verifyNow(), { ok: true, lines: 3 });
  });
});

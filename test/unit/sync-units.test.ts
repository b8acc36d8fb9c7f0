import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Secret } from '../../main/core/crypto/secret';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from '../../main/core/sync/http-client';
import { parseFilter, parseLayout, passesFilters } from '../../main/core/sync/layout';
import { checkAddress, validateStoreConfig } from '../../main/core/sync/store-config';
import { parseFieldRef } from '../../main/core/vault/ref';
import { VaultStore } from '../../main/core/vault/vault-store';
import { FAST_KDF } from '../helpers/fast-kdf';
import { tempHome } from '../helpers/temp-home';

describe('retry timing', () => {
  test('Retry-After is read as seconds or as an HTTP date; junk is ignored', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    const now = Date.parse('2026-11-25T12:00:00Z');
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 12:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  test('backoff is exponential with full jitter and capped', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const cap = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** attempt);
      assert.equal(
        backoffDelay(DEFAULT_RETRY, attempt, () => 0),
        0,
      );
      assert.ok(backoffDelay(DEFAULT_RETRY, attempt, () => 0.999999) <= cap);
      assert.ok(backoffDelay(DEFAULT_RETRY, attempt, () => 0.999999) >= cap - 1);
    }
  });
});

describe('layouts, filters and store definitions', () => {
  test('a layout needs {project}, {env} and {item} once each, ending with {item}', () => {
    assert.deepEqual(parseLayout('/teams/{project}/{env}/{item}/').pattern, 'teams/{project}/{env}/{item}');
    assert.equal(parseLayout('{env}/{project}/{item}').segments.length, 3);
    for (const bad of [
      'teams/{project}/{item}',
      'teams/{project}/{env}/{env}/{item}',
      '{project}/{item}/{env}',
      'a/{x}/{env}/{item}',
      'a/../{project}/{env}/{item}',
      '',
    ]) {
      assert.throws(() => parseLayout(bad), { code: 'INVALID_STORE_CONFIG' }, bad);
    }
    for (const prod of [
      'prod/{project}/{env}/{item}',
      'teams/production/{project}/{env}/{item}',
      'teams-prd/{project}/{env}/{item}',
    ]) {
      assert.throws(() => parseLayout(prod), { code: 'PRODUCTION_REFUSED' }, prod);
    }
  });

  test('filters take dev and staging only, and limit by project and environment', () => {
    assert.deepEqual(parseFilter('payments/dev'), {
      project: 'payments',
      environment: 'development',
      folder: 'dev',
    });
    assert.throws(() => parseFilter('payments/production'), { code: 'PRODUCTION_REFUSED' });
    assert.throws(() => parseFilter('payments/PROD '), { code: 'PRODUCTION_REFUSED' });
    assert.throws(() => parseFilter('payments/qa'), { code: 'UNKNOWN_ENVIRONMENT' });
    assert.throws(() => parseFilter('prod-payments'), { code: 'PRODUCTION_REFUSED' });
    const filters = [parseFilter('payments/staging'), parseFilter('web')];
    assert.ok(passesFilters(filters, 'payments', 'staging'));
    assert.ok(!passesFilters(filters, 'payments', 'development'));
    assert.ok(passesFilters(filters, 'web', 'development'));
    assert.ok(!passesFilters(filters, 'other', 'development'));
    assert.ok(passesFilters([], 'anything'));
  });

  test('addresses: https, or http only on this machine; never credentials, paths or queries', () => {
    assert.equal(checkAddress('https://vault.corp:8200/'), 'https://vault.corp:8200');
    assert.equal(checkAddress('http://127.0.0.1:8200'), 'http://127.0.0.1:8200');
    for (const bad of [
      'http://vault.corp:8200',
      'ftp://x',
      'https://u:p@vault',
      'https://vault/v1',
      'https://vault?x=1',
      'not a url',
    ]) {
      assert.throws(() => checkAddress(bad), { code: 'INVALID_STORE_CONFIG' }, bad);
    }
  });

  test('a hostile stores.json entry is refused field by field', () => {
    const good = {
      name: 'corp',
      kind: 'vault',
      addr: 'https://v:8200',
      mount: 'secret',
      layout: 'teams/{project}/{env}/{item}',
      filters: [],
      auth: { method: 'token' },
    };
    assert.equal(validateStoreConfig(good).name, 'corp');
    const bad: Record<string, unknown>[] = [
      { ...good, name: '../x' },
      { ...good, kind: 'aws' },
      { ...good, mount: '../sys' },
      { ...good, namespace: 'a b' },
      { ...good, filters: ['payments/production'] },
      { ...good, auth: { method: 'userpass' } },
      { ...good, auth: { method: 'oidc', callbackPort: 80 } },
      { ...good, auth: { method: 'magic' } },
      { ...good, layout: 'live/{project}/{env}/{item}x' },
    ];
    for (const b of bad) {
      assert.throws(
        () => validateStoreConfig(b),
        (e: { code?: string }) =>
          ['INVALID_STORE_CONFIG', 'PRODUCTION_REFUSED', 'UNKNOWN_ENVIRONMENT'].includes(e.code ?? ''),
        JSON.stringify(b),
      );
    }
  });
});

describe('synced items in the vault', () => {
  test('a previous version is readable during its grace period only, and pruned after', async () => {
    const t = tempHome();
    try {
      const store = new VaultStore(t.home);
      const vault = await store.create(Buffer.from('grace passphrase'), FAST_KDF);
      const ref = { project: 'p', environment: 'development' as const, item: 'i' };
      const field = parseFieldRef('p/development/i/f');
      const put = (v: string, version: number, graceUntil: string): string =>
        vault.upsertStoreItem({
          store: 's',
          path: 'teams/p/development/i',
          ref,
          version,
          changedUpstreamAt: '',
          fields: [['f', Secret.fromString(v)]],
          graceUntil,
        });
      assert.equal(put('one', 1, new Date(Date.now() + 60_000).toISOString()), 'added');
      assert.equal(put('one', 1, new Date(Date.now() + 60_000).toISOString()), 'unchanged');
      assert.equal(put('two', 2, new Date(Date.now() + 60_000).toISOString()), 'updated');
      assert.equal(vault.readField(field, { previous: true }).reveal().toString(), 'one');
      assert.equal(put('three', 3, new Date(Date.now() - 1).toISOString()), 'updated');
      assert.equal(vault.readField(field).reveal().toString(), 'three');
      assert.throws(() => vault.readField(field, { previous: true }), { code: 'ITEM_NOT_FOUND' });
      assert.equal(vault.prunePrevious(), 1);
      assert.ok(vault.removeStoreItem('s', 'teams/p/development/i'));
      assert.throws(() => vault.readField(field), { code: 'ITEM_NOT_FOUND' });
      vault.close();
    } finally {
      t.cleanup();
    }
  });
});

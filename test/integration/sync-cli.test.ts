import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addStore, MASTER, syncBed, type SyncBed } from '../helpers/sync-env';

const DEV = 'teams/payments/development';

describe('latchkey sync against a Vault-API server', () => {
  let bed: SyncBed;
  const requestsSince = (mark: number): { method: string; path: string }[] => bed.server.requests.slice(mark);

  before(async () => {
    bed = await syncBed();
    const s = bed.server;
    s.kvPut('secret', `${DEV}/stripe`, { secret_key: 'sk_test_dev_1', publishable_key: 'pk_test_dev_1' });
    s.kvPut('secret', `${DEV}/db`, { url: 'postgres://app:dev@db.dev.internal/app' });
    s.kvPut('secret', 'teams/payments/staging/stripe', { secret_key: 'sk_test_stg_1' });
    s.kvPut('secret', 'teams/payments/production/stripe', { secret_key: 'sk_live_PRODUCTION_VALUE_0000' });
    s.kvPut('secret', 'teams/payments/prod-eu/stripe', { secret_key: 'prod-eu-value' });
    s.kvPut('secret', 'teams/payments/\uff50\uff52\uff4f\uff44/stripe', {
      secret_key: 'fullwidth-prod-value',
    });
    s.kvPut('secret', 'teams/payments/qa/stripe', { secret_key: 'qa-value' });
    s.kvPut(
      'secret',
      'teams/payments/staging/mislabelled',
      { token: 'x-staging' },
      { customMetadata: { environment: 'production' } },
    );
    s.kvPut('secret', 'teams/payments/staging/leaked', { key: `sk_live_${'a'.repeat(24)}` });
    s.kvPut('secret', 'teams/web/development/api', { key: 'web-dev-key' });
    const r = await addStore(bed);
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => bed.close());

  test('the first sync fills the vault and prints a one-line summary with the refusals', async () => {
    const r = await bed.sync();
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(
      out,
      /^synced 4 items: 4 updated, 0 removed, 6 refused \(5 production, 1 other\), 0 failed in \d+\.\d s\n/,
    );
    for (const rule of [
      'environment-name-production',
      'environment-name-unknown',
      'metadata-production',
      'stripe-live-secret-key',
    ]) {
      assert.match(out, new RegExp(rule));
    }
    assert.equal(
      (await bed.get('lk://payments/development/stripe/secret_key')).stdout.toString(),
      'sk_test_dev_1',
    );
    assert.equal(
      (await bed.get('lk://payments/staging/stripe/secret_key')).stdout.toString(),
      'sk_test_stg_1',
    );
    assert.equal((await bed.get('lk://web/development/api/key')).stdout.toString(), 'web-dev-key');
  });

  test('no request ever touches a production or unknown environment folder, nor a refused item’s data', () => {
    const bad = bed.server.requests.filter(
      (q) =>
        /teams\/payments\/(production|prod-eu|qa|%EF%BD%90|\uff50)/i.test(q.path) ||
        /\/secret\/data\/teams\/payments\/staging\/mislabelled/.test(q.path),
    );
    assert.deepEqual(bad, []);
  });

  test('refused items are never stored and are listed by ls --refused with their rule', async () => {
    for (const ref of ['lk://payments/staging/mislabelled/token', 'lk://payments/staging/leaked/key']) {
      const g = await bed.get(ref);
      assert.equal(g.status, 1);
      assert.match(g.stderr, /ITEM_NOT_FOUND/);
    }
    const ls = await bed.cli(['ls', '--refused', '--json', '--password-stdin']);
    const rows = JSON.parse(ls.stdout.toString()) as {
      ref: string;
      path: string;
      rule: string;
      store: string;
    }[];
    const show = JSON.stringify(rows.map((x) => [x.ref, x.path, x.rule]));
    assert.ok(
      rows.some((x) => x.path === 'teams/payments/production/' && x.rule === 'environment-name-production'),
      show,
    );
    assert.ok(
      rows.some((x) => x.ref === 'lk://payments/staging/mislabelled' && x.rule === 'metadata-production'),
      show,
    );
    assert.ok(
      rows.some((x) => x.ref === 'lk://payments/staging/leaked' && x.rule === 'stripe-live-secret-key'),
      show,
    );
    assert.ok(rows.every((x) => x.store === 'corp'));
    // Rule descriptions may name the prefix; the values themselves never appear.
    for (const value of [
      `sk_live_${'a'.repeat(24)}`,
      'sk_live_PRODUCTION_VALUE',
      'x-staging',
      'prod-eu-value',
    ]) {
      assert.ok(!ls.stdout.toString().includes(value));
      for (const o of bed.outputs) assert.ok(!o.includes(value), `${value} in output`);
    }
  });

  test('an unchanged store is synced from metadata alone: no data is read', async () => {
    const mark = bed.server.requests.length;
    const r = await bed.sync();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.toString(), /^synced 4 items: 0 updated, 0 removed/);
    assert.deepEqual(
      requestsSince(mark).filter((q) => q.path.includes('/data/')),
      [],
    );
  });

  test('a rotation replaces the value and keeps the previous one readable during the grace period', async () => {
    bed.server.kvPut('secret', `${DEV}/stripe`, {
      secret_key: 'sk_test_dev_2',
      publishable_key: 'pk_test_dev_2',
    });
    const mark = bed.server.requests.length;
    const r = await bed.sync();
    assert.match(r.stdout.toString(), /^synced 4 items: 1 updated, 0 removed/);
    assert.deepEqual(
      requestsSince(mark)
        .filter((q) => q.path.includes('/data/'))
        .map((q) => q.path.replace(/\?.*$/, '')),
      [`/v1/secret/data/${DEV}/stripe`],
    );
    assert.equal(
      (await bed.get('lk://payments/development/stripe/secret_key')).stdout.toString(),
      'sk_test_dev_2',
    );
    assert.equal(
      (await bed.get('lk://payments/development/stripe/secret_key', ['--previous'])).stdout.toString(),
      'sk_test_dev_1',
    );
    const noPrev = await bed.get('lk://payments/development/db/url', ['--previous']);
    assert.equal(noPrev.status, 1);
    const ls = await bed.cli(['ls', 'payments/development', '--json', '--password-stdin']);
    const rows = JSON.parse(ls.stdout.toString()) as { ref: string; version: number; source: string }[];
    assert.deepEqual(
      rows.find((x) => x.ref === 'lk://payments/development/stripe'),
      {
        ...rows.find((x) => x.ref === 'lk://payments/development/stripe'),
        version: 2,
        source: `corp:${DEV}/stripe`,
      },
    );
  });

  test('an upstream soft delete and a destroyed version remove the local copy', async () => {
    bed.server.kvDeleteLatest('secret', `${DEV}/db`);
    bed.server.kvPut('secret', 'teams/web/development/api', { key: 'web-dev-key-2' });
    bed.server.kvDestroy('secret', 'teams/web/development/api', [2]);
    const r = await bed.sync();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.toString(), /, 2 removed, /);
    assert.equal((await bed.get('lk://payments/development/db/url')).status, 1);
    assert.equal((await bed.get('lk://web/development/api/key')).status, 1);
  });

  test('a local item is never overwritten by sync and is shown as an override', async () => {
    const set = await bed.cli(
      ['set', 'lk://payments/staging/stripe/secret_key', '--password-stdin'],
      `${MASTER}\nmy-own-local-value\n`,
    );
    assert.equal(set.status, 0, set.stderr);
    bed.server.kvPut('secret', 'teams/payments/staging/stripe', { secret_key: 'sk_test_stg_2' });
    assert.equal((await bed.sync()).status, 0);
    assert.equal(
      (await bed.get('lk://payments/staging/stripe/secret_key')).stdout.toString(),
      'my-own-local-value',
    );
    const ls = await bed.cli(['ls', 'payments/staging', '--password-stdin']);
    assert.match(
      ls.stdout.toString(),
      /lk:\/\/payments\/staging\/stripe\s+secret_key\s+\d+\s+local \(override\)/,
    );
  });

  test('oversized values, absurd key counts and non-text values are refused one item at a time', async () => {
    bed.server.kvPut('secret', `${DEV}/huge`, { blob: 'x'.repeat(70 * 1024) });
    bed.server.kvPut(
      'secret',
      `${DEV}/wide`,
      Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, 'v'])),
    );
    bed.server.kvPut('secret', `${DEV}/typed`, { port: 5432 });
    bed.server.kvPut('secret', `${DEV}/fine`, { ok: 'yes' });
    const r = await bed.sync(['--json']);
    const [report] = JSON.parse(r.stdout.toString()) as {
      ok: boolean;
      refusals: { ref: string; rule: string }[];
    }[];
    assert.ok(report?.ok);
    const rules = Object.fromEntries(report.refusals.map((x) => [x.ref, x.rule]));
    assert.equal(rules['lk://payments/development/huge'], 'value-size');
    assert.equal(rules['lk://payments/development/wide'], 'item-field-count');
    assert.equal(rules['lk://payments/development/typed'], 'value-not-text');
    assert.equal((await bed.get('lk://payments/development/fine/ok')).stdout.toString(), 'yes');
  });

  test('--only limits the sync to a project and leaves other synced items alone', async () => {
    const rm = await bed.cli(['store', 'rm', 'corp', '--password-stdin']);
    assert.equal(rm.status, 0, rm.stderr);
    assert.equal(
      (await bed.get('lk://payments/development/stripe/secret_key')).status,
      1,
      'store rm removes synced items',
    );
    assert.equal((await addStore(bed, ['--only', 'web'])).status, 0);
    bed.server.kvPut('secret', 'teams/web/development/api', { key: 'web-dev-key-3' });
    const r = await bed.sync();
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await bed.get('lk://web/development/api/key')).stdout.toString(), 'web-dev-key-3');
    assert.equal((await bed.get('lk://payments/development/fine/ok')).status, 1);
  });
});

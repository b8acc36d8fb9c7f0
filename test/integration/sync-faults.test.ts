import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addStore, allFiles, MASTER, syncBed, type SyncBed } from '../helpers/sync-env';
import { makeTestPki } from '../helpers/test-ca';

const CANARY_TOKEN = 'hvs.CANARYtoken7f3a9d1e0b2c4d6e8f';

describe('sync faults leave the vault unchanged and usable', () => {
  let bed: SyncBed;
  before(async () => {
    bed = await syncBed({ rootToken: CANARY_TOKEN });
    for (let i = 0; i < 30; i++)
      bed.server.kvPut('secret', `teams/app/development/item${i}`, { v: `value-${i}` });
    assert.equal((await addStore(bed)).status, 0);
    const first = await bed.sync();
    assert.equal(first.status, 0, first.stderr);
  });
  let rotation = 0;
  after(() => bed.close());

  async function failsAndChangesNothing(extra: string[], code: RegExp): Promise<void> {
    const held = (await bed.get('lk://app/development/item0/v')).stdout.toString();
    // Something new upstream, so a successful sync would change the vault.
    bed.server.kvPut('secret', 'teams/app/development/item0', { v: `value-0-rotation-${++rotation}` });
    const before = bed.vaultBytes();
    const r = await bed.sync(extra);
    assert.equal(r.status, 1, r.stdout.toString());
    assert.match(r.stderr, code);
    assert.match(
      r.stdout.toString(),
      /sync failed after .*nothing was changed, last good sync \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n$/,
    );
    assert.ok(bed.vaultBytes().equals(before), 'the vault file changed');
    assert.equal((await bed.get('lk://app/development/item0/v')).stdout.toString(), held);
    bed.server.faults.reset();
  }

  test('a 429 with Retry-After is retried and the sync succeeds', async () => {
    bed.server.kvPut('secret', 'teams/app/development/item0', { v: 'value-0-after-429' });
    const mark = bed.server.requests.length;
    bed.server.faults.failNext(3, { status: 429, retryAfterSeconds: 0 });
    const r = await bed.sync();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(bed.server.requests.slice(mark).filter((q) => q.status === 429).length, 3);
    assert.equal((await bed.get('lk://app/development/item0/v')).stdout.toString(), 'value-0-after-429');
  });

  test('a store that keeps failing with 500 fails the sync after bounded retries', async () => {
    bed.server.faults.failNext(1000, {
      status: 500,
      pathPrefix: 'secret/metadata/teams/app/development/item1',
    });
    const started = Date.now();
    await failsAndChangesNothing([], /^latchkey: STORE_UNAVAILABLE: .*item1.*\(500\)/);
    assert.ok(Date.now() - started < 30_000);
  });

  test('a 502 is retried a bounded number of times, then the sync fails', async () => {
    const mark = bed.server.requests.length;
    bed.server.faults.failNext(1000, {
      status: 502,
      pathPrefix: 'secret/metadata/teams/app/development/item2',
    });
    await failsAndChangesNothing([], /STORE_UNAVAILABLE/);
    const attempts = bed.server.requests
      .slice(mark)
      .filter((q) => q.path.endsWith('development/item2')).length;
    assert.equal(attempts, 5, 'one try and four retries');
  });

  test('a sealed store fails the sync', async () => {
    bed.server.faults.sealed(true);
    await failsAndChangesNothing(['--deadline', '5'], /^latchkey: STORE_UNAVAILABLE: .*sealed/);
  });

  test('a slow store runs into the per-request timeout', async () => {
    bed.server.faults.delay(2000, { pathPrefix: 'secret/metadata/teams/app/development/item3' });
    await failsAndChangesNothing(
      ['--request-timeout', '0.2', '--deadline', '5'],
      /STORE_UNAVAILABLE: .*(no answer within|deadline)/,
    );
  });

  test('a hung connection is cut by the overall deadline', async () => {
    bed.server.faults.hang({ pathPrefix: 'secret/metadata/teams/app/development/item4' });
    const started = Date.now();
    await failsAndChangesNothing(
      ['--request-timeout', '30', '--deadline', '1.5'],
      /STORE_UNAVAILABLE: .*(deadline|no answer)/,
    );
    assert.ok(Date.now() - started < 15_000);
  });

  test('a token that expires mid-sync fails the sync with a way forward', async () => {
    const shortLived = bed.server.createToken({ policies: ['root'] });
    const login = await bed.cli(
      ['store', 'login', 'corp', '--token-stdin', '--password-stdin'],
      `${MASTER}\n${shortLived}\n`,
    );
    assert.equal(login.status, 0, login.stderr);
    bed.server.faults.expireTokenAfter(shortLived, 8);
    await failsAndChangesNothing([], /^latchkey: STORE_PERMISSION_DENIED: .*403.*latchkey store login corp/);
    const next = await bed.sync();
    assert.match(next.stderr, /^latchkey: STORE_AUTH_FAILED: .*invalid, expired or revoked/);
    const relogin = await bed.cli(
      ['store', 'login', 'corp', '--token-stdin', '--password-stdin'],
      `${MASTER}\n${CANARY_TOKEN}\n`,
    );
    assert.equal(relogin.status, 0, relogin.stderr);
  });

  test('403 on one item fails the whole sync: nothing half-applied', async () => {
    bed.server.putPolicy(
      'dev-reader',
      `path "secret/metadata/teams/*" { capabilities = ["read", "list"] }
       path "secret/data/teams/*" { capabilities = ["read"] }
       path "secret/data/teams/app/development/item5" { capabilities = ["deny"] }`,
    );
    const token = bed.server.createToken({ policies: ['default', 'dev-reader'] });
    const login = await bed.cli(
      ['store', 'login', 'corp', '--token-stdin', '--password-stdin'],
      `${MASTER}\n${token}\n`,
    );
    assert.equal(login.status, 0, login.stderr);
    bed.server.kvPut('secret', 'teams/app/development/item5', { v: 'value-5-rotated' });
    const mark = bed.server.requests.length;
    await failsAndChangesNothing([], /^latchkey: STORE_PERMISSION_DENIED: .*item5/);
    const denied = bed.server.requests
      .slice(mark)
      .filter((q) => q.path.endsWith('/secret/data/teams/app/development/item5'));
    assert.equal(denied.length, 1, `a 403 is not retried: ${JSON.stringify(denied)}`);
    const relogin = await bed.cli(
      ['store', 'login', 'corp', '--token-stdin', '--password-stdin'],
      `${MASTER}\n${CANARY_TOKEN}\n`,
    );
    assert.equal(relogin.status, 0, relogin.stderr);
  });

  test('the token never appears in any output or any file of the data directory', () => {
    for (const o of bed.outputs) assert.ok(!o.includes(CANARY_TOKEN), o);
    for (const bytes of allFiles(bed.home)) assert.equal(bytes.indexOf(CANARY_TOKEN), -1);
  });
});

describe('TLS with a custom CA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-ca-'));
  let bed: SyncBed;
  const ca = join(dir, 'ca.pem');
  const otherCa = join(dir, 'other-ca.pem');
  before(async () => {
    const pki = makeTestPki(dir);
    bed = await syncBed({ tls: { cert: pki.cert, key: pki.key } });
    bed.server.kvPut('secret', 'teams/tls/development/item', { v: 'over-tls' });
  });
  after(async () => {
    await bed.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a certificate from an untrusted CA is refused with STORE_TLS_UNTRUSTED', async () => {
    const r = await addStore(bed);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^latchkey: STORE_TLS_UNTRUSTED: /);
    const wrong = await addStore(bed, ['--ca-cert', otherCa]);
    assert.match(wrong.stderr, /STORE_TLS_UNTRUSTED/);
  });

  test('the store’s CA given with --ca-cert is trusted, and VAULT_CACERT works too', async () => {
    const r = await addStore(bed, ['--ca-cert', ca]);
    assert.equal(r.status, 0, r.stderr);
    const s = await bed.sync();
    assert.equal(s.status, 0, s.stderr);
    assert.equal((await bed.get('lk://tls/development/item/v')).stdout.toString(), 'over-tls');
  });
});

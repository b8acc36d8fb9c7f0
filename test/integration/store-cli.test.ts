import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addStore, MASTER, syncBed, type SyncBed } from '../helpers/sync-env';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('latchkey store', () => {
  let bed: SyncBed;
  before(async () => {
    bed = await syncBed();
    bed.server.kvPut('secret', 'teams/payments/development/stripe', { secret_key: 'sk_test_x' });
  });
  after(() => bed.close());

  test('layouts and filters that could only reach production are refused when added, and nothing is written', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--layout', 'prod/{project}/{env}/{item}'],
        /^latchkey: PRODUCTION_REFUSED: .*layout-production|production/,
      ],
      [
        ['--layout', 'teams/{project}/production/{item}'],
        /^latchkey: (PRODUCTION_REFUSED|INVALID_STORE_CONFIG): /,
      ],
      [['--layout', 'teams/{project}/{item}'], /^latchkey: INVALID_STORE_CONFIG: .*\{env\}/],
      [['--only', 'payments/production'], /^latchkey: PRODUCTION_REFUSED: /],
      [['--only', 'payments/ｐｒｏｄ'], /^latchkey: PRODUCTION_REFUSED: /],
      [['--only', 'payments/qa'], /^latchkey: UNKNOWN_ENVIRONMENT: /],
    ];
    for (const [extra, expected] of cases) {
      const r = await addStore(bed, extra);
      assert.notEqual(r.status, 0, extra.join(' '));
      assert.match(r.stderr, expected);
      assert.equal(existsSync(join(bed.home, 'stores.json')), false);
    }
    const plain = await addStore(bed, ['--addr', 'http://vault.example.com:8200']);
    assert.match(plain.stderr, /INVALID_STORE_CONFIG: plain http:\/\/ is only accepted/);
  });

  test('there is no option to skip TLS verification', async () => {
    for (const flag of ['--tls-skip-verify', '--insecure', '--skip-verify']) {
      const r = await addStore(bed, [flag]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^latchkey: USAGE: /);
    }
    const r = await addStore(bed, [], bed.server.rootToken);
    assert.equal(r.status, 0, r.stderr);
    const rm = await bed.cli(['store', 'rm', 'corp', '--password-stdin']);
    assert.equal(rm.status, 0, rm.stderr);
    const env = await bed.cli(
      ['store', 'add', 'corp', '--addr', bed.server.url, '--password-stdin'],
      `${MASTER}\n`,
      { VAULT_TOKEN: bed.server.rootToken, VAULT_SKIP_VERIFY: 'true' },
    );
    assert.equal(env.status, 0, env.stderr);
  });

  test('a bad token is refused at add time and no store is recorded', async () => {
    const r = await bed.cli(
      ['store', 'add', 'other', '--addr', bed.server.url, '--token-stdin', '--password-stdin'],
      `${MASTER}\nhvs.not-a-real-token\n`,
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^latchkey: STORE_AUTH_FAILED: /);
    const ls = await bed.cli(['store', 'ls', '--json'], '');
    assert.deepEqual(
      (JSON.parse(ls.stdout.toString()) as { name: string }[]).map((s) => s.name),
      ['corp'],
    );
  });

  test('the token comes from ~/.vault-token when nothing else gives one, and never lands in stores.json', async () => {
    writeFileSync(join(bed.home, '.vault-token'), `${bed.server.rootToken}\n`);
    const r = await bed.cli(
      ['store', 'add', 'fromfile', '--addr', bed.server.url, '--password-stdin'],
      `${MASTER}\n`,
      {
        HOME: bed.home,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const config = readFileSync(join(bed.home, 'stores.json'), 'utf8');
    assert.ok(!config.includes(bed.server.rootToken));
    assert.equal((await bed.cli(['store', 'rm', 'fromfile', '--password-stdin'])).status, 0);
  });

  test('userpass: the password is asked (here on stdin), and a wrong one is STORE_AUTH_FAILED', async () => {
    bed.server.putPolicy(
      'reader',
      'path "secret/*" { capabilities = ["read", "list"] }\npath "sys/internal/ui/mounts/*" { capabilities = ["read"] }',
    );
    bed.server.addUserpassUser('alice', 'alice-password', ['reader']);
    const wrong = await bed.cli(
      [
        'store',
        'add',
        'up',
        '--addr',
        bed.server.url,
        '--auth',
        'userpass',
        '--user',
        'alice',
        '--password-stdin',
      ],
      `${MASTER}\nnot-her-password\n`,
    );
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^latchkey: STORE_AUTH_FAILED: .*alice/);
    const right = await bed.cli(
      [
        'store',
        'add',
        'up',
        '--addr',
        bed.server.url,
        '--auth',
        'userpass',
        '--user',
        'alice',
        '--password-stdin',
      ],
      `${MASTER}\nalice-password\n`,
    );
    assert.equal(right.status, 0, right.stderr);
    const s = await bed.cli(['sync', 'up', '--password-stdin']);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(
      (await bed.get('lk://payments/development/stripe/secret_key')).stdout.toString(),
      'sk_test_x',
    );
    assert.ok(!readFileSync(join(bed.home, 'stores.json'), 'utf8').includes('alice-password'));
    assert.equal((await bed.cli(['store', 'rm', 'up', '--password-stdin'])).status, 0);
  });

  test('OIDC: the browser flow with a localhost callback logs in', async () => {
    bed.server.configureOidcRole('dev', { user: 'bob', policies: ['reader'] });
    const browser = join(bed.dir, 'browser.sh');
    writeFileSync(
      browser,
      `#!/bin/sh\nexec "${process.execPath}" "${join(__dirname, '..', 'helpers', 'fake-browser.js')}" "$1"\n`,
    );
    chmodSync(browser, 0o755);
    const port = await freePort();
    const r = await bed.cli(
      [
        'store',
        'add',
        'sso',
        '--addr',
        bed.server.url,
        '--auth',
        'oidc',
        '--role',
        'dev',
        '--callback-port',
        String(port),
        '--password-stdin',
      ],
      `${MASTER}\n`,
      { BROWSER: browser },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Opening your browser/);
    const s = await bed.cli(['sync', 'sso', '--password-stdin']);
    assert.equal(s.status, 0, s.stderr);
  });

  test('a namespace (flag or VAULT_NAMESPACE) selects that namespace’s secrets only', async () => {
    bed.server.createNamespace('team-a');
    bed.server.kvPut('secret', 'teams/ns/development/item', { v: 'in-namespace' }, { namespace: 'team-a' });
    const r = await bed.cli(
      ['store', 'add', 'nsa', '--addr', bed.server.url, '--token-stdin', '--password-stdin'],
      `${MASTER}\n${bed.server.rootToken}\n`,
      { VAULT_NAMESPACE: 'team-a' },
    );
    assert.equal(r.status, 0, r.stderr);
    const mark = bed.server.requests.length;
    const s = await bed.cli(['sync', 'nsa', '--password-stdin']);
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout.toString(), /^synced 1 item: 1 updated/);
    assert.ok(bed.server.requests.slice(mark).every((q) => q.namespace === 'team-a'));
    assert.equal((await bed.get('lk://ns/development/item/v')).stdout.toString(), 'in-namespace');
    assert.equal((await bed.cli(['store', 'rm', 'nsa', '--password-stdin'])).status, 0);
  });

  test('a renewable token close to expiry is renewed by the next sync', async () => {
    const token = bed.server.createToken({ policies: ['root'], ttlSeconds: 1800, renewable: true });
    const login = await bed.cli(
      ['store', 'login', 'corp', '--token-stdin', '--password-stdin'],
      `${MASTER}\n${token}\n`,
    );
    assert.equal(login.status, 0, login.stderr);
    const mark = bed.server.requests.length;
    const s = await bed.cli(['sync', 'corp', '--password-stdin']);
    assert.equal(s.status, 0, s.stderr);
    assert.ok(
      bed.server.requests
        .slice(mark)
        .some((q) => q.method === 'POST' && q.path === '/v1/auth/token/renew-self'),
    );
    const r = await fetch(`${bed.server.url}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': token },
    });
    const ttl = ((await r.json()) as { data: { ttl: number } }).data.ttl;
    assert.ok(ttl > 1800, `ttl ${ttl}`);
  });

  test('store ls shows the stores without secrets; store rm of an unknown store says so', async () => {
    const ls = await bed.cli(['store', 'ls'], '');
    assert.match(ls.stdout.toString(), /^NAME\s+ADDRESS/);
    assert.match(
      ls.stdout.toString(),
      /\ncorp\s+http:\/\/127\.0\.0\.1:\d+\s+secret\s+teams\/\{project\}\/\{env\}\/\{item\}\s+token/,
    );
    const rm = await bed.cli(['store', 'rm', 'nope', '--password-stdin']);
    assert.equal(rm.status, 1);
    assert.match(rm.stderr, /^latchkey: STORE_NOT_FOUND: /);
  });
});

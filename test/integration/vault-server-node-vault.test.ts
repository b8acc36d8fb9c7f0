/**
 * The test Vault server, driven by the independent `node-vault` client library: if node-vault (which
 * was written against real Vault) works against it, the server speaks the real protocol.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import vault from 'node-vault';
import { seedMany, startVaultServer, type VaultServer } from '../fixtures/vault-server';
import { haveOpenssl, makeTestPki } from '../helpers/test-ca';

// node-vault falls back to these; a developer's own Vault settings must not leak into the tests.
for (const name of ['VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_PREFIX', 'VAULT_SKIP_VERIFY'])
  delete process.env[name];

type Client = vault.client;

interface Auth {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  identity_policies?: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  orphan: boolean;
  num_uses: number;
}

interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor: string;
}

interface Envelope<T> {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: T;
  wrap_info: WrapInfo | null;
  warnings: string[] | null;
  auth: Auth | null;
}

interface VersionMetadata {
  created_time: string;
  custom_metadata: Record<string, string> | null;
  deletion_time: string;
  destroyed: boolean;
  version: number;
}

type KvRead = Envelope<{ data: Record<string, unknown> | null; metadata: VersionMetadata }>;

interface KeyMetadata {
  cas_required: boolean;
  created_time: string;
  current_version: number;
  custom_metadata: Record<string, string> | null;
  delete_version_after: string;
  max_versions: number;
  oldest_version: number;
  updated_time: string;
  versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
}

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const ACL_DENIED = '1 error occurred:\n\t* permission denied\n\n';
const BAD_TOKEN = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n';

function connect(server: VaultServer, token: string | undefined, options: vault.VaultOptions = {}): Client {
  const c = vault({ apiVersion: 'v1', endpoint: server.url, token, ...options });
  if (token === undefined) c.token = '';
  return c;
}

interface Refusal {
  status: number;
  message: string;
  body: unknown;
}

/** The API error a node-vault call rejects with (status and the first of `errors`). */
async function refusal(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (err) {
    const e = err as Error & { response?: { statusCode: number; body: unknown } };
    assert.ok(e.response, `expected an API error response, got: ${e.message}`);
    return { status: e.response.statusCode, message: e.message, body: e.response.body };
  }
  return assert.fail('expected the call to be refused');
}

async function read<T = KvRead>(c: Client, path: string, options?: vault.Option): Promise<T> {
  return (await c.read(path, options)) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('KV version 2 through node-vault', () => {
  let server: VaultServer;
  let root: Client;
  before(async () => {
    server = await startVaultServer();
    root = connect(server, server.rootToken);
  });
  after(() => server.close());

  test('a secret written with client.write reads back with its version metadata', async () => {
    const written = (await root.write('secret/data/teams/web/development/api', {
      data: { key: 'v1-value' },
    })) as Envelope<VersionMetadata>;
    assert.equal(written.data.version, 1);
    assert.match(written.data.created_time, RFC3339_NANO);
    const r = await read(root, 'secret/data/teams/web/development/api');
    assert.deepEqual(Object.keys(r).sort(), [
      'auth',
      'data',
      'lease_duration',
      'lease_id',
      'renewable',
      'request_id',
      'warnings',
      'wrap_info',
    ]);
    assert.deepEqual(r.data.data, { key: 'v1-value' });
    assert.deepEqual(
      { ...r.data.metadata, created_time: 'x' },
      { created_time: 'x', custom_metadata: null, deletion_time: '', destroyed: false, version: 1 },
    );
  });

  test('arbitrary JSON values round-trip unchanged', async () => {
    const value = {
      s: 'text',
      n: 42.5,
      b: false,
      nil: null,
      list: [1, 'two', { three: 3 }],
      nested: { deep: { er: true } },
    };
    await root.write('secret/data/json/any', { data: value });
    assert.deepEqual((await read(root, 'secret/data/json/any')).data.data, value);
  });

  test('a second write makes version 2 and ?version=1 still reads the first', async () => {
    await root.write('secret/data/versions/item', { data: { v: 'one' } });
    await root.write('secret/data/versions/item', { data: { v: 'two' } });
    assert.deepEqual((await read(root, 'secret/data/versions/item')).data.data, { v: 'two' });
    const first = await read(root, 'secret/data/versions/item?version=1');
    assert.deepEqual(first.data.data, { v: 'one' });
    assert.equal(first.data.metadata.version, 1);
  });

  test('a stale check-and-set is refused with 400, as Vault does (not the 412 of the protocol notes)', async () => {
    await root.write('secret/data/cas/item', { data: { v: 1 } });
    const stale = await refusal(root.write('secret/data/cas/item', { data: { v: 2 }, options: { cas: 0 } }));
    assert.equal(stale.status, 400);
    assert.equal(stale.message, 'check-and-set parameter did not match the current version');
    const ok = (await root.write('secret/data/cas/item', {
      data: { v: 2 },
      options: { cas: 1 },
    })) as Envelope<VersionMetadata>;
    assert.equal(ok.data.version, 2);
  });

  test('cas_required on a secret makes a write without cas fail', async () => {
    await root.write('secret/metadata/cas/required', { cas_required: true });
    const r = await refusal(root.write('secret/data/cas/required', { data: { v: 1 } }));
    assert.equal(r.status, 400);
    assert.equal(r.message, 'check-and-set parameter required for this call');
    await root.write('secret/data/cas/required', { data: { v: 1 }, options: { cas: 0 } });
  });

  test('metadata reports versions and the custom_metadata set with POST metadata (204)', async () => {
    await root.write('secret/data/meta/item', { data: { v: 1 } });
    await root.write('secret/data/meta/item', { data: { v: 2 } });
    const set = (await root.write('secret/metadata/meta/item', {
      custom_metadata: { environment: 'staging', owner: 'web' },
    })) as unknown;
    assert.equal(set, '', 'POST metadata answers 204 with no body');
    const m = await read<Envelope<KeyMetadata>>(root, 'secret/metadata/meta/item');
    assert.equal(m.data.current_version, 2);
    assert.equal(m.data.oldest_version, 0);
    assert.equal(m.data.max_versions, 0);
    assert.equal(m.data.cas_required, false);
    assert.equal(m.data.delete_version_after, '0s');
    assert.deepEqual(m.data.custom_metadata, { environment: 'staging', owner: 'web' });
    assert.deepEqual(Object.keys(m.data.versions), ['1', '2']);
    assert.equal(m.data.updated_time, m.data.versions['2']?.created_time);
    assert.ok(m.data.updated_time > m.data.created_time);
    assert.deepEqual((await read(root, 'secret/data/meta/item')).data.metadata.custom_metadata, {
      environment: 'staging',
      owner: 'web',
    });
  });

  test('listing a folder gives items and sub-folders ending in /, and an empty folder is 404 with no message', async () => {
    server.kvPut('secret', 'list/a/item1', { v: 1 });
    server.kvPut('secret', 'list/a/item2', { v: 1 });
    server.kvPut('secret', 'list/a/sub/deeper', { v: 1 });
    const r = (await root.list('secret/metadata/list/a')) as Envelope<{ keys: string[] }>;
    assert.deepEqual(r.data.keys, ['item1', 'item2', 'sub/']);
    const missing = await refusal(root.list('secret/metadata/list/nothing-here'));
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { errors: [] });
  });

  test('GET ?list=true is the same as the LIST method', async () => {
    server.kvPut('secret', 'list/b/x', { v: 1 });
    const viaGet = connect(server, server.rootToken, { noCustomHTTPVerbs: true });
    const a = (await viaGet.list('secret/metadata/list/b/')) as Envelope<{ keys: string[] }>;
    const b = (await root.list('secret/metadata/list/b/')) as Envelope<{ keys: string[] }>;
    assert.deepEqual(a.data, b.data);
    assert.ok(
      server.requests.some(
        (q) => q.method === 'GET' && q.path === '/v1/secret/metadata/list/b/' && q.query === 'list=1',
      ),
    );
    assert.ok(server.requests.some((q) => q.method === 'LIST' && q.path === '/v1/secret/metadata/list/b/'));
  });

  test('a soft-deleted latest version reads as 404 whose body still carries the metadata', async () => {
    await root.write('secret/data/del/item', { data: { v: 1 } });
    assert.equal(await root.delete('secret/data/del/item'), '');
    const r = await refusal(root.read('secret/data/del/item'));
    assert.equal(r.status, 404);
    const body = r.body as KvRead;
    assert.equal(body.data.data, null);
    assert.match(body.data.metadata.deletion_time, RFC3339_NANO);
    assert.equal(body.data.metadata.destroyed, false);
    assert.equal(body.data.metadata.version, 1);
  });

  test('undelete brings a version back; destroy leaves a 404 saying destroyed: true', async () => {
    await root.write('secret/data/del/restore', { data: { v: 1 } });
    await root.delete('secret/data/del/restore');
    await root.write('secret/undelete/del/restore', { versions: [1] });
    assert.deepEqual((await read(root, 'secret/data/del/restore')).data.data, { v: 1 });
    await root.write('secret/destroy/del/restore', { versions: [1] });
    const r = await refusal(root.read('secret/data/del/restore'));
    assert.equal(r.status, 404);
    assert.equal((r.body as KvRead).data.metadata.destroyed, true);
    assert.equal((r.body as KvRead).data.data, null);
    const versions = (await read<Envelope<KeyMetadata>>(root, 'secret/metadata/del/restore')).data.versions;
    assert.equal(versions['1']?.destroyed, true);
  });

  test('delete with a version list soft-deletes just those versions', async () => {
    await root.write('secret/data/del/some', { data: { v: 1 } });
    await root.write('secret/data/del/some', { data: { v: 2 } });
    await root.write('secret/delete/del/some', { versions: [1] });
    assert.equal((await refusal(root.read('secret/data/del/some?version=1'))).status, 404);
    assert.deepEqual((await read(root, 'secret/data/del/some')).data.data, { v: 2 });
    assert.equal(
      (await refusal(root.write('secret/delete/del/some', {}))).message,
      'no version number provided',
    );
  });

  test('deleting the metadata removes every version', async () => {
    await root.write('secret/data/del/all', { data: { v: 1 } });
    await root.delete('secret/metadata/del/all');
    assert.deepEqual((await refusal(root.read('secret/data/del/all'))).body, { errors: [] });
    assert.deepEqual((await refusal(root.read('secret/metadata/del/all'))).body, { errors: [] });
  });

  test('max_versions prunes the oldest versions as writes go past it', async () => {
    await root.write('secret/metadata/prune/item', { max_versions: 3 });
    for (let i = 1; i <= 5; i++) await root.write('secret/data/prune/item', { data: { v: i } });
    const m = await read<Envelope<KeyMetadata>>(root, 'secret/metadata/prune/item');
    assert.equal(m.data.current_version, 5);
    assert.equal(m.data.oldest_version, 3);
    assert.deepEqual(Object.keys(m.data.versions), ['3', '4', '5']);
    assert.deepEqual((await refusal(root.read('secret/data/prune/item?version=1'))).body, { errors: [] });
  });

  test('sys/internal/ui/mounts/<mount> reports a KV version 2 mount', async () => {
    const r = await read<Envelope<{ type: string; path: string; options: { version: string } }>>(
      root,
      'sys/internal/ui/mounts/secret',
    );
    assert.equal(r.data.type, 'kv');
    assert.equal(r.data.path, 'secret/');
    assert.equal(r.data.options.version, '2');
    const deep = await read<Envelope<{ path: string }>>(root, 'sys/internal/ui/mounts/secret/teams/web');
    assert.equal(deep.data.path, 'secret/');
  });

  test('sys/mounts and sys/auth list the mounts, auth mounts carrying auth_<type>_ accessors', async () => {
    const mounts = (await root.mounts()) as Envelope<
      Record<string, { type: string; options: { version?: string } | null }>
    >;
    assert.equal(mounts.data['secret/']?.type, 'kv');
    assert.equal(mounts.data['secret/']?.options?.version, '2');
    const auths = (await root.auths()) as Envelope<Record<string, { type: string; accessor: string }>>;
    assert.deepEqual(Object.keys(auths.data).sort(), ['oidc/', 'token/', 'userpass/']);
    assert.match(auths.data['userpass/']?.accessor ?? '', /^auth_userpass_[0-9a-f]{8}$/);
    assert.match(auths.data['oidc/']?.accessor ?? '', /^auth_oidc_[0-9a-f]{8}$/);
  });

  test('health answers without a token', async () => {
    const h = (await connect(server, undefined).health()) as {
      initialized: boolean;
      sealed: boolean;
      standby: boolean;
      version: string;
    };
    assert.deepEqual([h.initialized, h.sealed, h.standby], [true, false, false]);
    assert.match(h.version, /^\d+\.\d+\.\d+/);
  });

  test('an operation the path does not support is 405', async () => {
    const r = await refusal(root.list('secret/data/teams/'));
    assert.equal(r.status, 405);
    assert.equal(r.message, '1 error occurred:\n\t* unsupported operation\n\n');
  });

  test('client.update (PATCH, merge-patch+json) merges into the latest version as a new version', async () => {
    await root.write('secret/data/patch/item', { data: { a: '1', b: '2' } });
    const patched = (await root.update('secret/data/patch/item', {
      data: { b: null, c: '3' },
    })) as Envelope<VersionMetadata>;
    assert.equal(patched.data.version, 2);
    assert.deepEqual((await read(root, 'secret/data/patch/item')).data.data, { a: '1', c: '3' });
  });

  test('over raw HTTP: Bearer tokens and X-Vault-Request are accepted, 204 has no body, JSON ends in a newline', async () => {
    const headers = {
      Authorization: `Bearer ${server.rootToken}`,
      'X-Vault-Request': 'true',
      'Content-Type': 'application/json',
    };
    const put = await fetch(`${server.url}/v1/secret/metadata/raw/item`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ custom_metadata: { owner: 'x' } }),
    });
    assert.equal(put.status, 204);
    assert.equal(await put.text(), '');
    const got = await fetch(`${server.url}/v1/secret/metadata/raw/item`, { headers });
    assert.equal(got.headers.get('content-type'), 'application/json');
    assert.match(await got.text(), /^\{"request_id":.*\}\n$/);
    const bad = await fetch(`${server.url}/v1/secret/data/raw/item`, {
      method: 'POST',
      headers,
      body: '{not json',
    });
    assert.equal(bad.status, 400);
  });

  test('seedMany spreads n items over projects and the development and staging folders', async () => {
    const s = await startVaultServer();
    try {
      const paths = seedMany(s, 40, { projects: 4 });
      assert.equal(paths.length, 40);
      const c = connect(s, s.rootToken);
      const projects = ((await c.list('secret/metadata/teams')) as Envelope<{ keys: string[] }>).data.keys;
      assert.deepEqual(projects, ['bench-00/', 'bench-01/', 'bench-02/', 'bench-03/']);
      const envs = ((await c.list('secret/metadata/teams/bench-00')) as Envelope<{ keys: string[] }>).data
        .keys;
      assert.deepEqual(envs, ['development/', 'staging/']);
      assert.deepEqual((await read(c, `secret/data/${paths[0] as string}`)).data.metadata.custom_metadata, {
        environment: 'development',
        owner: 'bench-00-team',
      });
    } finally {
      await s.close();
    }
  });

  test('a path no engine serves is 404 for root and 403 for a token without access', async () => {
    assert.equal((await refusal(root.read('nomount/x'))).status, 404);
    const other = connect(server, server.createToken({ policies: [] }));
    assert.equal((await refusal(other.read('nomount/x'))).message, ACL_DENIED);
  });
});

describe('tokens through node-vault', () => {
  let server: VaultServer;
  let root: Client;
  before(async () => {
    server = await startVaultServer();
    root = connect(server, server.rootToken);
    server.putPolicy('web-dev', 'path "secret/data/teams/web/development/*" { capabilities = ["read"] }');
    server.putPolicy('token-maker', 'path "auth/token/create" { capabilities = ["create", "update"] }');
    server.kvPut('secret', 'teams/web/development/session', { secret: 's' });
  });
  after(() => server.close());

  test('lookup-self describes the root token', async () => {
    const r = (await root.tokenLookupSelf()) as Envelope<{
      policies: string[];
      ttl: number;
      expire_time: string | null;
      display_name: string;
      id: string;
    }>;
    assert.deepEqual(r.data.policies, ['root']);
    assert.equal(r.data.ttl, 0);
    assert.equal(r.data.expire_time, null);
    assert.equal(r.data.display_name, 'root');
  });

  test('token create issues a child with the default policy, the TTL and the use count asked for', async () => {
    const admin = connect(server, server.rootToken);
    const r = (await admin.tokenCreate({
      policies: ['web-dev'],
      ttl: '1h',
      num_uses: 5,
      meta: { purpose: 'test' },
    })) as Envelope<null>;
    const auth = r.auth as Auth;
    assert.deepEqual(auth.policies, ['default', 'web-dev']);
    assert.equal(auth.lease_duration, 3600);
    assert.equal(auth.renewable, true);
    assert.equal(auth.num_uses, 5);
    assert.equal(auth.orphan, false);
    assert.deepEqual(auth.metadata, { purpose: 'test' });
    assert.match(auth.client_token, /^hvs\.[A-Za-z0-9]{24}$/);
    const child = connect(server, auth.client_token);
    assert.deepEqual((await read(child, 'secret/data/teams/web/development/session')).data.data, {
      secret: 's',
    });
    const self = (await child.tokenLookupSelf()) as Envelope<{
      num_uses: number;
      ttl: number;
      policies: string[];
      path: string;
    }>;
    assert.equal(self.data.num_uses, 3);
    assert.ok(self.data.ttl > 3590 && self.data.ttl <= 3600);
    assert.equal(self.data.path, 'auth/token/create');
  });

  test('renew-self extends the TTL to the increment', async () => {
    const token = server.createToken({ policies: ['web-dev'], ttlSeconds: 600 });
    const r = (await connect(server, token).tokenRenewSelf({ increment: '1h' })) as Envelope<null>;
    assert.equal(r.auth?.lease_duration, 3600);
    assert.equal(r.auth?.client_token, token);
  });

  test('revoke-self invalidates the token and the children it created: 403 permission denied, invalid token', async () => {
    const parentToken = server.createToken({ policies: ['web-dev', 'token-maker'] });
    const creator = connect(server, parentToken);
    const childToken = ((await creator.tokenCreate({ policies: ['web-dev'] })) as Envelope<null>).auth
      ?.client_token as string;
    assert.equal(creator.token, childToken, 'node-vault switches to the token it just created');
    await connect(server, childToken).tokenLookupSelf();
    await connect(server, parentToken).tokenRevokeSelf();
    for (const t of [parentToken, childToken]) {
      const r = await refusal(connect(server, t).tokenLookupSelf());
      assert.equal(r.status, 403);
      assert.equal(r.message, BAD_TOKEN);
    }
  });

  test('a token past its TTL is refused with 403', async () => {
    const c = connect(server, server.createToken({ policies: ['web-dev'], ttlSeconds: 1 }));
    await c.tokenLookupSelf();
    await sleep(1100);
    const r = await refusal(c.read('secret/data/teams/web/development/session'));
    assert.equal(r.status, 403);
    assert.equal(r.message, BAD_TOKEN);
  });

  test('a token with num_uses 2 works twice and is then refused', async () => {
    const c = connect(server, server.createToken({ policies: ['web-dev'], numUses: 2 }));
    await c.read('secret/data/teams/web/development/session');
    await c.read('secret/data/teams/web/development/session');
    assert.equal((await refusal(c.read('secret/data/teams/web/development/session'))).status, 403);
  });

  test('a non-root token cannot create a child with a policy it does not hold', async () => {
    const c = connect(server, server.createToken({ policies: ['web-dev', 'token-maker'] }));
    assert.equal(
      (
        await refusal(
          connect(server, server.createToken({ policies: ['web-dev'] })).tokenCreate({
            policies: ['web-dev'],
          }),
        )
      ).status,
      403,
    );
    const r = await refusal(c.tokenCreate({ policies: ['payments-dev'] }));
    assert.equal(r.status, 400);
    assert.equal(r.message, 'child policies must be subset of parent');
  });

  test('a request without any token on an authenticated path is 403', async () => {
    const r = await refusal(connect(server, undefined).read('secret/data/teams/web/development/session'));
    assert.equal(r.status, 403);
  });
});

describe('userpass, identity and policies through node-vault', () => {
  let server: VaultServer;
  let root: Client;
  before(async () => {
    server = await startVaultServer();
    root = connect(server, server.rootToken);
    server.putPolicy('web-dev', 'path "secret/data/teams/web/development/*" { capabilities = ["read"] }');
    server.kvPut('secret', 'teams/web/development/session', { secret: 's' });
  });
  after(() => server.close());

  test('a user created over the API logs in with userpassLogin and reads what the policy allows', async () => {
    await root.write('auth/userpass/users/Carol', { password: 'carol-pw', token_policies: ['web-dev'] });
    const c = connect(server, undefined);
    const r = (await c.userpassLogin({ username: 'carol', password: 'carol-pw' })) as Envelope<null>;
    const auth = r.auth as Auth;
    assert.deepEqual(auth.policies, ['default', 'web-dev']);
    assert.deepEqual(auth.token_policies, ['default', 'web-dev']);
    assert.deepEqual(auth.metadata, { username: 'carol' });
    assert.ok(auth.entity_id !== '', 'a login gets an entity, created on first login');
    assert.equal(c.token, auth.client_token);
    assert.deepEqual((await read(c, 'secret/data/teams/web/development/session')).data.data, { secret: 's' });
  });

  test('a wrong password is 400 "invalid username or password"', async () => {
    server.addUserpassUser('dana', 'right', []);
    const r = await refusal(
      connect(server, undefined).userpassLogin({ username: 'dana', password: 'wrong' }),
    );
    assert.equal(r.status, 400);
    assert.equal(r.message, 'invalid username or password');
  });

  test("a login through an entity alias gets the entity's policies, and changes apply at once", async () => {
    server.addUserpassUser('erin', 'erin-pw', []);
    const created = (await root.write('identity/entity/name/erin', {
      policies: ['web-dev'],
      metadata: { team: 'web' },
    })) as Envelope<{ id: string; name: string }>;
    assert.equal(created.data.name, 'erin');
    const auths = (await root.auths()) as Envelope<Record<string, { accessor: string }>>;
    await root.write('identity/entity-alias', {
      name: 'erin',
      canonical_id: created.data.id,
      mount_accessor: auths.data['userpass/']?.accessor,
    });
    const c = connect(server, undefined);
    const auth = ((await c.userpassLogin({ username: 'erin', password: 'erin-pw' })) as Envelope<null>)
      .auth as Auth;
    assert.equal(auth.entity_id, created.data.id);
    assert.deepEqual(auth.identity_policies, ['web-dev']);
    assert.deepEqual(auth.policies, ['default', 'web-dev']);
    assert.deepEqual(auth.token_policies, ['default']);
    await c.read('secret/data/teams/web/development/session');
    const entity = await read<
      Envelope<{ policies: string[]; aliases: { name: string; mount_type: string }[] }>
    >(root, 'identity/entity/name/erin');
    assert.deepEqual(entity.data.policies, ['web-dev']);
    assert.deepEqual(
      entity.data.aliases.map((a) => [a.name, a.mount_type]),
      [['erin', 'userpass']],
    );
    assert.equal(
      await root.write('identity/entity/name/erin', { policies: [] }),
      '',
      'an update answers 204',
    );
    assert.equal((await refusal(c.read('secret/data/teams/web/development/session'))).status, 403);
    const names = (await root.list('identity/entity/name')) as Envelope<{ keys: string[] }>;
    assert.ok(names.data.keys.includes('erin'));
  });

  test('addPolicy, getPolicy, policies and removePolicy manage policies through sys/policy', async () => {
    await root.addPolicy({ name: 'reader', rules: 'path "secret/data/*" { capabilities = ["read"] }' });
    const got = (await root.getPolicy({ name: 'reader' })) as {
      name: string;
      rules: string;
      data: { rules: string };
    };
    assert.equal(got.rules, 'path "secret/data/*" { capabilities = ["read"] }');
    assert.equal(got.data.rules, got.rules);
    assert.ok(((await root.policies()) as { policies: string[] }).policies.includes('reader'));
    await root.removePolicy({ name: 'reader' });
    assert.ok(!((await root.policies()) as { policies: string[] }).policies.includes('reader'));
    assert.equal((await refusal(root.getPolicy({ name: 'reader' }))).status, 404);
  });

  test('sys/policies/acl: write, read {name, policy}, list keys, delete', async () => {
    await root.write('sys/policies/acl/Ops', { policy: 'path "sys/health" { capabilities = ["read"] }' });
    const r = await read<Envelope<{ name: string; policy: string }>>(root, 'sys/policies/acl/ops');
    assert.deepEqual(r.data, { name: 'ops', policy: 'path "sys/health" { capabilities = ["read"] }' });
    const keys = ((await root.list('sys/policies/acl')) as Envelope<{ keys: string[] }>).data.keys;
    assert.deepEqual(keys, ['default', 'ops', 'root', 'web-dev']);
    await root.delete('sys/policies/acl/ops');
    assert.equal((await refusal(root.read('sys/policies/acl/ops'))).status, 404);
    assert.equal((await refusal(root.delete('sys/policies/acl/default'))).status, 400);
  });

  test('malformed HCL is refused with 400', async () => {
    const r = await refusal(
      root.write('sys/policies/acl/broken', { policy: 'path "secret/*" { capabilities = ["read" ' }),
    );
    assert.equal(r.status, 400);
    assert.match(r.message, /^failed to parse policy: /);
    assert.equal(
      (
        await refusal(
          root.write('sys/policies/acl/bad-cap', { policy: 'path "a" { capabilities = ["write"] }' }),
        )
      ).message,
      'failed to parse policy: path "a": invalid capability "write"',
    );
  });
});

describe('ACL enforcement', () => {
  let server: VaultServer;
  before(async () => {
    server = await startVaultServer();
    for (const project of ['payments', 'web']) {
      for (const env of ['development', 'staging', 'production'])
        server.kvPut('secret', `teams/${project}/${env}/item`, { value: `${project}-${env}` });
    }
  });
  after(() => server.close());

  const tokenWith = (...hcl: string[]): Client => {
    const names = hcl.map((text) => {
      const name = `p-${randomBytes(4).toString('hex')}`;
      server.putPolicy(name, text);
      return name;
    });
    return connect(server, server.createToken({ policies: names }));
  };

  test('a token for payments/development reads there and gets 403 on staging and production', async () => {
    const c = tokenWith('path "secret/data/teams/payments/development/*" { capabilities = ["read"] }');
    assert.deepEqual((await read(c, 'secret/data/teams/payments/development/item')).data.data, {
      value: 'payments-development',
    });
    for (const env of ['staging', 'production']) {
      const r = await refusal(c.read(`secret/data/teams/payments/${env}/item`));
      assert.equal(r.status, 403);
      assert.equal(r.message, ACL_DENIED);
    }
    assert.equal(
      (await refusal(c.write('secret/data/teams/payments/development/item', { data: { v: 1 } }))).status,
      403,
    );
    assert.equal(
      (await refusal(c.list('secret/metadata/teams/payments/development'))).status,
      403,
      'data and metadata need separate stanzas',
    );
  });

  test('+ matches one segment: every project development folder, no staging', async () => {
    const c = tokenWith('path "secret/data/teams/+/development/*" { capabilities = ["read"] }');
    await c.read('secret/data/teams/payments/development/item');
    await c.read('secret/data/teams/web/development/item');
    assert.equal((await refusal(c.read('secret/data/teams/web/staging/item'))).status, 403);
  });

  test('deny on the same path wins over a read granted by another policy', async () => {
    const c = tokenWith(
      'path "secret/data/teams/web/*" { capabilities = ["read"] }',
      'path "secret/data/teams/web/*" { capabilities = ["deny"] }',
    );
    assert.equal((await refusal(c.read('secret/data/teams/web/development/item'))).status, 403);
  });

  test('a deny on a more specific path refuses it while the broader grant still reads elsewhere', async () => {
    const c = tokenWith(
      'path "secret/data/teams/*" { capabilities = ["read"] }',
      'path "secret/data/teams/payments/production/*" { capabilities = ["deny"] }',
    );
    await c.read('secret/data/teams/payments/staging/item');
    assert.equal((await refusal(c.read('secret/data/teams/payments/production/item'))).status, 403);
  });

  test('the most specific path wins even when it grants less than a broader rule', async () => {
    const c = tokenWith(
      'path "secret/data/*" { capabilities = ["read"] }',
      'path "secret/data/teams/web/*" { capabilities = ["list"] }',
    );
    await c.read('secret/data/teams/payments/development/item');
    assert.equal((await refusal(c.read('secret/data/teams/web/development/item'))).status, 403);
  });

  test('create and update are told apart by whether the secret exists', async () => {
    const c = tokenWith('path "secret/data/teams/web/development/*" { capabilities = ["create"] }');
    await c.write('secret/data/teams/web/development/new-one', { data: { v: 1 } });
    assert.equal(
      (await refusal(c.write('secret/data/teams/web/development/new-one', { data: { v: 2 } }))).status,
      403,
    );
  });

  test('the default policy lets a token look itself up and renew itself, and nothing else', async () => {
    const c = connect(server, server.createToken({ policies: [], ttlSeconds: 600 }));
    await c.tokenLookupSelf();
    await c.tokenRenewSelf({ increment: '20m' });
    assert.equal((await refusal(c.read('secret/data/teams/web/development/item'))).status, 403);
    const bare = connect(server, server.createToken({ policies: [], noDefaultPolicy: true }));
    assert.equal((await refusal(bare.tokenLookupSelf())).status, 403);
  });

  test('the KV preflight sys/internal/ui/mounts answers a token with access under the mount and refuses one without', async () => {
    const c = tokenWith('path "secret/data/teams/web/development/*" { capabilities = ["read"] }');
    assert.equal(
      (await read<Envelope<{ options: { version: string } }>>(c, 'sys/internal/ui/mounts/secret')).data
        .options.version,
      '2',
    );
    const none = connect(server, server.createToken({ policies: [] }));
    assert.equal((await refusal(none.read('sys/internal/ui/mounts/secret'))).status, 403);
  });

  test('sys/capabilities-self reports what a token may do on a path', async () => {
    const c = tokenWith('path "secret/data/teams/web/*" { capabilities = ["read", "list"] }');
    const r = (await c.write('sys/capabilities-self', {
      paths: ['secret/data/teams/web/x', 'secret/data/teams/payments/x'],
    })) as Envelope<Record<string, string[]>>;
    assert.deepEqual(r.data['secret/data/teams/web/x'], ['read', 'list']);
    assert.deepEqual(r.data['secret/data/teams/payments/x'], ['deny']);
  });
});

describe('OIDC login, the Vault CLI flow', () => {
  let server: VaultServer;
  let browserTarget: Server;
  let redirectUri = '';
  const landed: URLSearchParams[] = [];
  before(async () => {
    server = await startVaultServer();
    server.putPolicy('web-dev', 'path "secret/data/teams/web/development/*" { capabilities = ["read"] }');
    server.kvPut('secret', 'teams/web/development/item', { v: 1 });
    server.configureOidcRole('dev', { user: 'frank', policies: ['web-dev'] });
    // The CLI's local listener the provider redirects the browser to (any port on loopback is allowed).
    browserTarget = createServer((req, res) => {
      landed.push(new URL(req.url ?? '/', 'http://localhost').searchParams);
      res.end('Signed in. You may close this window.');
    });
    await new Promise<void>((r) => browserTarget.listen(0, '127.0.0.1', r));
    redirectUri = `http://localhost:${(browserTarget.address() as AddressInfo).port}/oidc/callback`;
  });
  after(async () => {
    await new Promise((r) => browserTarget.close(r));
    await server.close();
  });

  async function browse(authUrl: string): Promise<URLSearchParams> {
    landed.length = 0;
    const page = await fetch(authUrl);
    assert.equal(page.status, 200);
    return landed[0] as URLSearchParams;
  }

  test('auth_url, a browser following redirects, then the callback logs in as the role user', async () => {
    const c = connect(server, undefined);
    const start = (await c.write('auth/oidc/oidc/auth_url', {
      role: 'dev',
      redirect_uri: redirectUri,
      client_nonce: 'nonce-1',
    })) as Envelope<{ auth_url: string }>;
    const authUrl = new URL(start.data.auth_url);
    assert.equal(authUrl.origin, server.url);
    assert.equal(authUrl.searchParams.get('redirect_uri'), redirectUri);
    const landing = await browse(start.data.auth_url);
    const state = landing.get('state') ?? '';
    const code = landing.get('code') ?? '';
    assert.equal(state, authUrl.searchParams.get('state'));
    const done = (await c.read(
      `auth/oidc/oidc/callback?state=${state}&code=${code}&client_nonce=nonce-1`,
    )) as Envelope<null>;
    const auth = done.auth as Auth;
    assert.deepEqual(auth.policies, ['default', 'web-dev']);
    assert.deepEqual(auth.metadata, { role: 'dev' });
    await connect(server, auth.client_token).read('secret/data/teams/web/development/item');
    // The state is single-use.
    const again = await refusal(
      c.read(`auth/oidc/oidc/callback?state=${state}&code=${code}&client_nonce=nonce-1`),
    );
    assert.equal(again.status, 400);
    assert.equal(again.message, 'Vault login failed. Expired or missing OAuth state.');
  });

  test('a callback with the wrong client_nonce is 400', async () => {
    const c = connect(server, undefined);
    const start = (await c.write('auth/oidc/oidc/auth_url', {
      role: 'dev',
      redirect_uri: redirectUri,
      client_nonce: 'right',
    })) as Envelope<{ auth_url: string }>;
    const landing = await browse(start.data.auth_url);
    const r = await refusal(
      c.read(
        `auth/oidc/oidc/callback?state=${landing.get('state')}&code=${landing.get('code')}&client_nonce=wrong`,
      ),
    );
    assert.equal(r.status, 400);
    assert.equal(r.message, 'invalid client_nonce');
  });

  test('an unknown role is 400 and a redirect_uri the role does not allow gets an empty auth_url', async () => {
    const c = connect(server, undefined);
    assert.equal(
      (await refusal(c.write('auth/oidc/oidc/auth_url', { role: 'nope', redirect_uri: redirectUri })))
        .message,
      'role "nope" could not be found',
    );
    const r = (await c.write('auth/oidc/oidc/auth_url', {
      role: 'dev',
      redirect_uri: 'https://evil.example/cb',
    })) as Envelope<{ auth_url: string }>;
    assert.equal(r.data.auth_url, '');
  });
});

describe('response wrapping', () => {
  let server: VaultServer;
  let root: Client;
  before(async () => {
    server = await startVaultServer();
    root = connect(server, server.rootToken);
    server.kvPut('secret', 'teams/web/development/item', { v: 'wrapped value' });
  });
  after(() => server.close());

  test('a wrapped read returns wrap_info and no data; unwrap gives the response once, then 400', async () => {
    const wrapped = await read<Envelope<null>>(root, 'secret/data/teams/web/development/item', {
      headers: { 'X-Vault-Wrap-TTL': '15m' },
    });
    assert.equal(wrapped.data, null);
    const info = wrapped.wrap_info as WrapInfo;
    assert.equal(info.ttl, 900);
    assert.equal(info.creation_path, 'secret/data/teams/web/development/item');
    assert.match(info.creation_time, RFC3339_NANO);
    const first = (await root.unwrap({ token: info.token })) as KvRead;
    assert.deepEqual(first.data.data, { v: 'wrapped value' });
    const second = await refusal(root.unwrap({ token: info.token }));
    assert.equal(second.status, 400);
    assert.equal(second.message, 'wrapping token is not valid or does not exist');
  });

  test('a wrapped token creation (an invite) unwraps, with the wrapping token as X-Vault-Token, to the auth block', async () => {
    const wrapped = (await root.tokenCreate({
      policies: ['default'],
      ttl: '1h',
      num_uses: 3,
      requestOptions: { headers: { 'X-Vault-Wrap-TTL': '15m' } },
    })) as Envelope<null>;
    assert.equal(wrapped.auth, null);
    const info = wrapped.wrap_info as WrapInfo;
    assert.equal(info.creation_path, 'auth/token/create');
    const invitee = connect(server, info.token);
    const unwrapped = (await invitee.unwrap()) as Envelope<null>;
    assert.equal(unwrapped.auth?.accessor, info.wrapped_accessor);
    assert.equal(unwrapped.auth?.num_uses, 3);
    await connect(server, unwrapped.auth?.client_token).tokenLookupSelf();
    assert.equal((await refusal(invitee.unwrap())).status, 400);
  });
});

describe('namespaces', () => {
  let server: VaultServer;
  before(async () => {
    server = await startVaultServer();
    server.createNamespace('team-a');
    server.kvPut('secret', 'shared/name', { where: 'root' });
    server.kvPut('secret', 'shared/name', { where: 'team-a' }, { namespace: 'team-a' });
  });
  after(() => server.close());

  test('the same path holds different secrets per namespace, by header or by path prefix', async () => {
    const rootNs = connect(server, server.rootToken);
    const teamA = connect(server, server.rootToken, { namespace: 'team-a' });
    assert.deepEqual((await read(rootNs, 'secret/data/shared/name')).data.data, { where: 'root' });
    assert.deepEqual((await read(teamA, 'secret/data/shared/name')).data.data, { where: 'team-a' });
    assert.deepEqual((await read(rootNs, 'team-a/secret/data/shared/name')).data.data, { where: 'team-a' });
    assert.ok(
      server.requests.some(
        (q) => q.namespace === 'team-a' && q.path === '/v1/team-a/secret/data/shared/name',
      ),
    );
  });

  test('policies and tokens belong to their namespace', async () => {
    server.putPolicy('reader', 'path "secret/data/*" { capabilities = ["read"] }', { namespace: 'team-a' });
    assert.equal(server.getPolicy('reader'), undefined);
    const token = server.createToken({ policies: ['reader'], namespace: 'team-a' });
    assert.deepEqual(
      (await read(connect(server, token, { namespace: 'team-a' }), 'secret/data/shared/name')).data.data,
      { where: 'team-a' },
    );
    const outside = await refusal(connect(server, token).read('secret/data/shared/name'));
    assert.equal(outside.status, 403);
    assert.equal(outside.message, BAD_TOKEN);
  });

  test('a root-namespace token reaches a child namespace only through policies naming the child paths', async () => {
    server.putPolicy('team-a-reader', 'path "team-a/secret/data/*" { capabilities = ["read"] }');
    const token = server.createToken({ policies: ['team-a-reader'] });
    assert.deepEqual(
      (await read(connect(server, token, { namespace: 'team-a' }), 'secret/data/shared/name')).data.data,
      { where: 'team-a' },
    );
    assert.equal((await refusal(connect(server, token).read('secret/data/shared/name'))).message, ACL_DENIED);
  });

  test('a namespace that does not exist routes nowhere', async () => {
    const r = await refusal(
      connect(server, server.rootToken, { namespace: 'team-z' }).read('secret/data/shared/name'),
    );
    assert.equal(r.status, 404);
  });
});

describe('faults', () => {
  let server: VaultServer;
  let root: Client;
  before(async () => {
    server = await startVaultServer();
    root = connect(server, server.rootToken);
    server.kvPut('secret', 'teams/web/development/item', { v: 1 });
  });
  after(() => server.close());
  afterEach(() => server.faults.reset());

  test('failNext 429 carries Retry-After, then requests succeed again', async () => {
    server.faults.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const raw = await fetch(`${server.url}/v1/sys/health`);
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '7');
    server.faults.failNext(1, { status: 429 });
    const r = await refusal(root.read('secret/data/teams/web/development/item'));
    assert.equal(r.status, 429);
    assert.equal(
      r.message,
      'request path "secret/data/teams/web/development/item": rate limit quota exceeded',
    );
    await root.read('secret/data/teams/web/development/item');
  });

  test('failNext with a path prefix fails only matching requests, with 500, 502 and 503', async () => {
    server.faults.failNext(1, { status: 500, pathPrefix: 'secret/data/teams/web' });
    server.faults.failNext(1, { status: 502, pathPrefix: '/v1/secret/data/teams/web' });
    server.faults.failNext(1, { status: 503, pathPrefix: 'secret/data/teams/web' });
    await root.tokenLookupSelf();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await refusal(root.read('secret/data/teams/web/development/item'))).status);
    assert.deepEqual(statuses, [500, 502, 503]);
    await root.read('secret/data/teams/web/development/item');
  });

  test('sealed: every request is 503 "Vault is sealed" and health reports sealed', async () => {
    server.faults.sealed(true);
    const r = await refusal(root.read('secret/data/teams/web/development/item'));
    assert.equal(r.status, 503);
    assert.equal(r.message, 'Vault is sealed');
    const health = (await root.health()) as { sealed: boolean };
    assert.equal(health.sealed, true);
    assert.equal((await fetch(`${server.url}/v1/sys/health`)).status, 503);
    server.faults.sealed(false);
    await root.read('secret/data/teams/web/development/item');
  });

  test('delay slows matching responses by at least the delay', async () => {
    server.faults.delay(150, { pathPrefix: 'secret/' });
    const t0 = performance.now();
    await root.read('secret/data/teams/web/development/item');
    assert.ok(performance.now() - t0 >= 145, 'the response came back too soon');
  });

  test('a hung request is never answered, so the client times out, while other paths still answer', async () => {
    server.faults.hang({ pathPrefix: 'secret/data/teams/web/development/hung' });
    const impatient = connect(server, server.rootToken, { requestOptions: { timeout: 300 } });
    const t0 = performance.now();
    await assert.rejects(
      impatient.read('secret/data/teams/web/development/hung'),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ECONNABORTED');
        return true;
      },
    );
    assert.ok(performance.now() - t0 >= 290);
    await impatient.read('secret/data/teams/web/development/item');
    assert.ok(
      server.requests.some((q) => q.path === '/v1/secret/data/teams/web/development/hung' && q.status === 0),
    );
  });

  test('expireTokenAfter: the token works for N requests, then is refused as expired', async () => {
    const token = server.createToken({ policies: ['root'] });
    server.faults.expireTokenAfter(token, 2);
    const c = connect(server, token);
    await c.read('secret/data/teams/web/development/item');
    await c.read('secret/data/teams/web/development/item');
    const r = await refusal(c.read('secret/data/teams/web/development/item'));
    assert.equal(r.status, 403);
    assert.equal(r.message, BAD_TOKEN);
  });

  test('the /__control endpoints drive the same faults and demand the root token', async () => {
    const post = (action: string, body: unknown, token?: string): Promise<Response> =>
      fetch(`${server.url}/__control/${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Vault-Token': token } : {}) },
        body: JSON.stringify(body),
      });
    assert.equal((await post('sealed', { on: true })).status, 403);
    assert.equal(
      (await post('sealed', { on: true }, server.createToken({ policies: ['root'] }))).status,
      403,
    );
    assert.equal((await post('sealed', { on: true }, server.rootToken)).status, 200);
    assert.equal((await fetch(`${server.url}/v1/sys/health`)).status, 503);
    assert.equal((await post('reset', {}, server.rootToken)).status, 200);
    assert.equal((await fetch(`${server.url}/v1/sys/health`)).status, 200);
    const put = (await (
      await post('kv-put', { mount: 'secret', path: 'via/control', data: { v: 1 } }, server.rootToken)
    ).json()) as { version: number };
    assert.equal(put.version, 1);
    assert.deepEqual((await read(root, 'secret/data/via/control')).data.data, { v: 1 });
  });

  test('the request log records method, path, status and token kind, never the token value', async () => {
    server.requests.length = 0;
    await root.read('secret/data/teams/web/development/item');
    await refusal(connect(server, 'hvs.not-a-real-token').read('secret/data/teams/web/development/item'));
    await connect(server, undefined).health();
    assert.deepEqual(
      server.requests.map((q) => [q.method, q.path, q.status, q.token]),
      [
        ['GET', '/v1/secret/data/teams/web/development/item', 200, 'root'],
        ['GET', '/v1/secret/data/teams/web/development/item', 403, 'other'],
        ['GET', '/v1/sys/health', 200, 'none'],
      ],
    );
    assert.ok(!JSON.stringify(server.requests).includes(server.rootToken));
  });
});

describe('TLS', () => {
  const opensslThere = haveOpenssl();
  let dir = '';
  let server: VaultServer;
  let ca = '';

  before(async () => {
    if (!opensslThere) return;
    dir = mkdtempSync(join(tmpdir(), 'latchkey-vault-tls-'));
    const pki = makeTestPki(dir);
    ca = pki.ca;
    server = await startVaultServer({
      tls: { cert: pki.cert, key: pki.key },
    });
    server.kvPut('secret', 'teams/web/development/item', { v: 'over tls' });
  });
  after(async () => {
    if (!opensslThere) return;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    'a client trusting the test CA reads over HTTPS; one without the CA is refused',
    { skip: !opensslThere && 'openssl is not installed' },
    async () => {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const trusting = connect(server, server.rootToken, { requestOptions: { ca } });
      assert.deepEqual((await read(trusting, 'secret/data/teams/web/development/item')).data.data, {
        v: 'over tls',
      });
      const byName = vault({
        apiVersion: 'v1',
        endpoint: server.url.replace('127.0.0.1', 'localhost'),
        token: server.rootToken,
        requestOptions: { ca },
      });
      await byName.tokenLookupSelf();
      const untrusting = connect(server, server.rootToken);
      await assert.rejects(
        untrusting.read('secret/data/teams/web/development/item'),
        (err: Error & { code?: string; response?: unknown }) => {
          assert.equal(err.response, undefined, 'no HTTP response may come back');
          assert.match(
            err.code ?? '',
            /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
          );
          return true;
        },
      );
    },
  );
});

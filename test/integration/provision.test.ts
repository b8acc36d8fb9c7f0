/**
 * Team-lead provisioning against the test Vault server with ACL enforcement: what a developer's
 * own token can read after `grant`, `revoke`, the refusals (nothing written — the server's policy
 * list and request log are checked), dry runs, hand-edited policies, expiry and invites.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderPolicy } from '../../main/core/provision';
import { addStore, MASTER, syncBed, type SyncBed } from '../helpers/sync-env';
import { runCli } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const MOUNT = 'secret';

async function login(bed: SyncBed, user: string, password: string): Promise<string> {
  const r = await fetch(`${bed.server.url}/v1/auth/userpass/login/${user}`, {
    method: 'POST',
    body: JSON.stringify({ password }),
  });
  assert.equal(r.status, 200, `login ${user}`);
  return ((await r.json()) as { auth: { client_token: string } }).auth.client_token;
}

async function status(bed: SyncBed, token: string, path: string): Promise<number> {
  const r = await fetch(`${bed.server.url}/v1/${MOUNT}/data/${path}`, {
    headers: { 'X-Vault-Token': token },
  });
  await r.arrayBuffer();
  return r.status;
}

function writesSince(bed: SyncBed, from: number): string[] {
  return bed.server.requests
    .slice(from)
    .filter(
      (r) =>
        r.method !== 'GET' &&
        r.method !== 'LIST' &&
        !r.path.includes('/login/') &&
        !r.path.endsWith('/lookup-self'),
    )
    .map((r) => `${r.method} ${r.path}`);
}

describe('latchkey grant / revoke / access', () => {
  let bed: SyncBed;
  const grant = (args: string[]) => bed.cli(['grant', ...args, '--password-stdin']);
  const revoke = (args: string[]) => bed.cli(['revoke', ...args, '--password-stdin']);
  const access = (args: string[] = []) => bed.cli(['access', ...args, '--password-stdin']);

  before(async () => {
    bed = await syncBed();
    for (const env of ['development', 'staging', 'production']) {
      bed.server.kvPut(MOUNT, `teams/payments/${env}/stripe`, { secret_key: `sk_test_${env}` });
      bed.server.kvPut(MOUNT, `teams/web/${env}/session`, { key: `web-${env}` });
    }
    bed.server.addUserpassUser('carol', 'carol-password', []);
    bed.server.addUserpassUser('frank', 'frank-password', []);
    const added = await addStore(bed);
    assert.equal(added.status, 0, added.stderr);
  });
  after(() => bed.close());

  test('grant gives exactly payments/development; a later grant adds staging; revoke takes all back', async () => {
    const g = await grant(['carol', 'payments/development']);
    assert.equal(g.status, 0, g.stderr);
    assert.match(g.stdout.toString(), /Before: nothing\nNow: +payments\/development/);
    let token = await login(bed, 'carol', 'carol-password');
    assert.equal(await status(bed, token, 'teams/payments/development/stripe'), 200);
    assert.equal(await status(bed, token, 'teams/payments/staging/stripe'), 403);
    assert.equal(await status(bed, token, 'teams/payments/production/stripe'), 403);
    assert.equal(await status(bed, token, 'teams/web/development/session'), 403);

    const g2 = await grant(['carol', 'payments/staging']);
    assert.equal(g2.status, 0, g2.stderr);
    token = await login(bed, 'carol', 'carol-password');
    assert.equal(await status(bed, token, 'teams/payments/development/stripe'), 200);
    assert.equal(await status(bed, token, 'teams/payments/staging/stripe'), 200);
    assert.equal(await status(bed, token, 'teams/payments/production/stripe'), 403);
    const text = bed.server.getPolicy('latchkey-dev-carol') ?? '';
    assert.match(text, /path "secret\/data\/teams\/payments\/development\/\*"/);
    assert.match(text, /path "secret\/metadata\/teams\/payments\/staging\/\*"/);
    assert.doesNotMatch(text, /production/);

    const r = await revoke(['carol']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.toString(), /carol: before payments\/development, payments\/staging; now nothing/);
    assert.equal(bed.server.getPolicy('latchkey-dev-carol'), undefined);
    for (const path of ['teams/payments/development/stripe', 'teams/payments/staging/stripe']) {
      assert.equal(await status(bed, token, path), 403, `the old token lost ${path}`);
      assert.equal(await status(bed, await login(bed, 'carol', 'carol-password'), path), 403);
    }
  });

  test('every way of asking for production is refused and nothing is written', async () => {
    const policiesBefore = bed.server.listPolicies().sort();
    const from = bed.server.requests.length;
    for (const target of [
      'payments/production',
      'payments/prod',
      'payments/PRODUCTION',
      'payments/Prod ',
      'payments/prod-eu',
      'payments/\uFF50\uFF52\uFF4F\uFF44',
      'payments/pr\u200Bod',
      'payments/live',
      'payments/qa',
      'payments/*',
      'payments/+',
      'prod/development',
    ]) {
      const r = await grant(['carol', target]);
      assert.notEqual(r.status, 0, `${target}: ${r.stderr}`);
      assert.match(r.stderr, /PRODUCTION_REFUSED|USAGE/, target);
    }
    // Refused before any request: the policies are as they were and nothing was sent at all.
    assert.deepEqual(bed.server.listPolicies().sort(), policiesBefore);
    assert.deepEqual(writesSince(bed, from), []);
  });

  test('an existing policy of that name that reaches production is never added to', async () => {
    const foreign = 'path "secret/data/teams/payments/production/*" {\n  capabilities = ["read"]\n}\n';
    bed.server.putPolicy('latchkey-dev-eve', foreign);
    const from = bed.server.requests.length;
    const r = await grant(['eve', 'payments/development', '--replace']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /PRODUCTION_REFUSED: .*already names a production path/);
    assert.equal(bed.server.getPolicy('latchkey-dev-eve'), foreign);
    assert.deepEqual(writesSince(bed, from), []);
    // A glob above the environment level reaches every environment, production included.
    bed.server.putPolicy(
      'latchkey-dev-eve',
      'path "secret/data/teams/payments/*" {\n  capabilities = ["read"]\n}\n',
    );
    const r2 = await grant(['eve', 'payments/development', '--replace']);
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /PRODUCTION_REFUSED/);
    bed.server.putPolicy('latchkey-dev-eve', foreign); // left for the access test
  });

  test('--dry-run prints the policy and the calls and sends no write', async () => {
    const from = bed.server.requests.length;
    const r = await grant(['dave', 'web/development', 'web/staging', '--dry-run']);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, /Dry run: nothing was sent/);
    assert.match(out, /path "secret\/data\/teams\/web\/development\/\*"/);
    assert.match(out, /PUT \/v1\/sys\/policies\/acl\/latchkey-dev-dave/);
    assert.match(out, /POST \/v1\/identity\/entity\/name\/dave/);
    assert.equal(bed.server.getPolicy('latchkey-dev-dave'), undefined);
    assert.deepEqual(writesSince(bed, from), []);
  });

  test('access lists who can read what and flags a hand-edited policy; merging into it needs --replace', async () => {
    assert.equal((await grant(['carol', 'payments/development'])).status, 0);
    const edited = `${bed.server.getPolicy('latchkey-dev-carol')!}path "secret/data/teams/web/development/*" {\n  capabilities = ["read"]\n}\n`;
    bed.server.putPolicy('latchkey-dev-carol', edited);
    const a = await access(['--json']);
    assert.equal(a.status, 0, a.stderr);
    const rows = JSON.parse(a.stdout.toString()) as {
      developer: string;
      edited: boolean;
      productionPaths: string[];
      grants: { target: string }[];
    }[];
    const carol = rows.find((r) => r.developer === 'carol')!;
    assert.equal(carol.edited, true);
    assert.deepEqual(
      carol.grants.map((g) => g.target),
      ['payments/development'],
    );
    const eve = rows.find((r) => r.developer === 'eve')!;
    assert.deepEqual(eve.productionPaths, ['secret/data/teams/payments/production/*']);
    const table = (await access()).stdout.toString();
    assert.match(table, /carol +payments\/development +EDITED BY HAND/);
    assert.match(table, /eve .*REACHES PRODUCTION/);

    const merge = await grant(['carol', 'payments/staging']);
    assert.equal(merge.status, 1);
    assert.match(merge.stderr, /POLICY_EDITED: .*edited by hand .*--replace/);
    assert.equal(bed.server.getPolicy('latchkey-dev-carol'), edited);
    const replaced = await grant(['carol', 'payments/staging', '--replace']);
    assert.equal(replaced.status, 0, replaced.stderr);
    assert.doesNotMatch(bed.server.getPolicy('latchkey-dev-carol') ?? '', /web/);
    assert.equal((await revoke(['carol'])).status, 0);
  });

  test('expiry: an expired grant is listed by access --expired and removed by revoke --expired', async () => {
    bed.server.upsertEntity('gina', { policies: ['wiki-editor'], metadata: { team: 'web' } });
    assert.equal((await grant(['gina', 'web/development', '--expires', '30d'])).status, 0);
    // An existing entity keeps its other policies and its metadata.
    const entity = await fetch(`${bed.server.url}/v1/identity/entity/name/gina`, {
      headers: { 'X-Vault-Token': bed.server.rootToken },
    }).then((r) => r.json() as Promise<{ data: { policies: string[]; metadata: Record<string, string> } }>);
    assert.deepEqual(entity.data.policies.sort(), ['latchkey-dev-gina', 'wiki-editor']);
    assert.deepEqual(entity.data.metadata, { team: 'web' });
    const past = new Date(Date.now() - 3_600_000).toISOString();
    bed.server.putPolicy(
      'latchkey-dev-hank',
      renderPolicy({
        developer: 'hank',
        mount: MOUNT,
        layout: 'teams/{project}/{env}/{item}',
        grants: [
          { project: 'web', env: 'development', environment: 'development', grantedAt: past, expires: past },
          { project: 'web', env: 'staging', environment: 'staging', grantedAt: past },
        ],
      }),
    );
    const expired = await access(['--expired', '--json']);
    const rows = JSON.parse(expired.stdout.toString()) as {
      developer: string;
      grants: { target: string }[];
    }[];
    assert.deepEqual(
      rows.map((r) => [r.developer, r.grants.map((g) => g.target)]),
      [['hank', ['web/development']]],
    );
    const r = await revoke(['--expired']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.toString(), /hank: before web\/development, web\/staging; now web\/staging/);
    assert.match(bed.server.getPolicy('latchkey-dev-gina') ?? '', /web\/development/);
    assert.doesNotMatch(bed.server.getPolicy('latchkey-dev-hank') ?? '', /web\/development/);
  });

  test('--invite prints one command; it gives the developer a working store once, and only once', async () => {
    const g = await grant(['frank', 'payments/development', '--invite']);
    assert.equal(g.status, 0, g.stderr);
    const command = /latchkey store add corp .* --wrapped-token (\S+)/.exec(g.stdout.toString());
    assert.ok(command, g.stdout.toString());
    const wrapping = command[1]!;
    const args = command[0]
      .replace(/^latchkey /, '')
      .split(' ')
      .map((a) => a.replace(/^'|'$/g, ''));

    const dev = tempHome('latchkey-invitee-');
    try {
      const env = { LATCHKEY_HOME: dev.home, HOME: dev.dir };
      const init = await runCli(['init', '--password-stdin', '--kdf-target-ms', '1'], {
        home: dev.home,
        input: `${MASTER}\n`,
        env,
      });
      assert.equal(init.status, 0, init.stderr);
      const add = await runCli([...args, '--password-stdin'], { home: dev.home, input: `${MASTER}\n`, env });
      assert.equal(add.status, 0, add.stderr);
      const sync = await runCli(['sync', '--password-stdin'], { home: dev.home, input: `${MASTER}\n`, env });
      assert.equal(sync.status, 0, sync.stderr);
      const ls = await runCli(['ls', '--json', '--password-stdin'], {
        home: dev.home,
        input: `${MASTER}\n`,
        env,
      });
      const refs = (JSON.parse(ls.stdout.toString()) as { ref: string }[]).map((i) => i.ref);
      assert.deepEqual(refs, ['lk://payments/development/stripe']);

      const again = await runCli([...args, '--password-stdin'], {
        home: join(dev.dir, 'other'),
        input: `${MASTER}\n`,
        env: { ...env, LATCHKEY_HOME: join(dev.dir, 'other') },
      });
      assert.notEqual(again.status, 0);
      const second = await fetch(`${bed.server.url}/v1/sys/wrapping/unwrap`, {
        method: 'POST',
        headers: { 'X-Vault-Token': wrapping },
      });
      assert.equal(second.status, 400, 'a wrapping token unwraps once');
    } finally {
      dev.cleanup();
    }
  });

  test("every grant, revoke and refusal is in the lead's audit log, without any token", async () => {
    const a = await bed.cli(['audit', '--json']);
    assert.equal(a.status, 0, a.stderr);
    const lines = JSON.parse(a.stdout.toString()) as { op: string; ref?: string; reason?: string }[];
    assert.ok(lines.some((l) => l.op === 'grant' && l.ref === 'grant:carol@corp:payments/development'));
    assert.ok(lines.some((l) => l.op === 'revoke' && l.ref?.startsWith('grant:carol@corp:')));
    assert.ok(
      lines.some(
        (l) => l.op === 'refusal' && l.ref?.startsWith('grant:carol') && l.reason === 'PRODUCTION_REFUSED',
      ),
    );
    assert.ok(!a.stdout.toString().includes(bed.server.rootToken));
    for (const out of bed.outputs) assert.ok(!out.includes(bed.server.rootToken));
  });
});

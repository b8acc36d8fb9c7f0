/**
 * The app's backend through the very handler table main registers with ipcMain: a real vault in a
 * temp LATCHKEY_HOME, a real audit log, the test Vault server. Only the clipboard is an in-memory
 * stand-in for the system's (the tests read what the app put there and whether it was cleared).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LatchkeyEvents } from '../../preload/api';
import { Desk } from '../../main/app/desk/desk';
import { createHandlerTable, type HandlerTable } from '../../main/app/ipc/handler-table';
import type { IpcEventLike } from '../../main/app/ipc/sender-check';
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import { startVaultServer, seedDemoTeam, type VaultServer } from '../fixtures/vault-server';
import { FAST_KDF } from '../helpers/fast-kdf';
import { MemoryClipboard } from '../helpers/memory-clipboard';
import { tempHome } from '../helpers/temp-home';

const PASSWORD = 'a calm morning passphrase';
const CANARY = 'CANARY-desk-7f3a9b21c4';
const WINDOW_ID = 7;

const fromUi: IpcEventLike = {
  senderFrame: { url: 'app://latchkey/index.html', parent: null },
  sender: { id: WINDOW_ID },
};

interface Bed {
  desk: Desk;
  table: HandlerTable;
  clipboard: MemoryClipboard;
  events: { name: string; data: unknown }[];
  home: string;
  cleanup: () => void;
}

function bed(options: { clipboardClearMs?: number } = {}): Bed {
  const t = tempHome('latchkey-desk-');
  const clipboard = new MemoryClipboard();
  const desk = new Desk({
    env: { LATCHKEY_HOME: t.home, LATCHKEY_SOCK: join(t.dir, 'run', 'agent.sock'), HOME: t.dir },
    clipboard,
    kdfParams: () => Promise.resolve(FAST_KDF),
    ...(options.clipboardClearMs !== undefined ? { clipboardClearMs: options.clipboardClearMs } : {}),
  });
  const events: { name: string; data: unknown }[] = [];
  desk.on((name: keyof LatchkeyEvents, data: unknown) => events.push({ name, data }));
  const table = createHandlerTable(desk, { mainWindowId: () => WINDOW_ID });
  return {
    desk,
    table,
    clipboard,
    events,
    home: t.home,
    cleanup: () => {
      if (!desk.session.locked) desk.session.lock('test');
      t.cleanup();
    },
  };
}

async function rejects(promise: Promise<unknown>, code: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.match(error.message, new RegExp(`^${code}: `));
    return error.message;
  }
  assert.fail(`expected ${code}`);
}

/** Every file in the data directory, as text, for canary sweeps. */
function everythingOnDisk(home: string): string {
  return readdirSync(home)
    .filter((f) => statSync(join(home, f)).isFile())
    .map((f) => readFileSync(join(home, f)).toString('latin1'))
    .join('\n');
}

async function withItems(b: Bed): Promise<void> {
  await b.table.createVault(fromUi, PASSWORD);
  await b.desk.session.change((vault) => {
    vault.setField(parseFieldRef('lk://payments/development/stripe/secret_key'), Secret.fromString(CANARY));
    vault.setField(
      parseFieldRef('lk://payments/staging/stripe/secret_key'),
      Secret.fromString('staging-value'),
    );
    vault.setField(parseFieldRef('lk://web/development/session/key'), Secret.fromString('web-value'));
  });
}

describe('first run, unlock and lock', () => {
  test('create, lock, wrong password with a growing delay, right password', async () => {
    const b = bed();
    try {
      assert.equal((await b.table.getState(fromUi)).phase, 'absent');
      await rejects(b.table.unlock(fromUi, PASSWORD), 'VAULT_NOT_FOUND');
      await rejects(b.table.createVault(fromUi, 'short'), 'PASSWORD_INVALID');
      const created = await b.table.createVault(fromUi, PASSWORD);
      assert.equal(created.phase, 'unlocked');
      await rejects(b.table.createVault(fromUi, PASSWORD), 'VAULT_EXISTS');

      const locked = await b.table.lock(fromUi);
      assert.equal(locked.phase, 'locked');
      assert.equal(locked.lastLockReason, 'requested');
      assert.ok(b.events.some((e) => e.name === 'state' && (e.data as { phase: string }).phase === 'locked'));
      await rejects(b.table.listItems(fromUi), 'LOCKED');

      // Three free attempts, then a delay that the next attempt must respect.
      const waits: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await b.table.unlock(fromUi, `wrong guess ${i}`);
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.equal(r.code, 'WRONG_PASSWORD');
          waits.push(r.retryAfterMs);
        }
      }
      assert.deepEqual(waits.slice(0, 3), [0, 0, 0]);
      assert.ok(waits[3]! >= 5000);
      const blocked = await b.table.unlock(fromUi, PASSWORD);
      assert.equal(blocked.ok, false);
      if (!blocked.ok) assert.equal(blocked.code, 'RATE_LIMITED');
      assert.ok((await b.table.getState(fromUi)).unlockBlockedUntil > Date.now());
      assert.equal((await b.table.getState(fromUi)).phase, 'locked');
    } finally {
      b.cleanup();
    }
  });
});

describe('secrets: list, detail, reveal, copy', () => {
  let b: Bed;
  before(async () => {
    b = bed({ clipboardClearMs: 150 });
    await withItems(b);
  });
  after(() => b.cleanup());

  test('the list names items and never carries a value', async () => {
    const items = await b.table.listItems(fromUi);
    assert.deepEqual(
      items.map((i) => i.ref),
      ['lk://payments/development/stripe', 'lk://payments/staging/stripe', 'lk://web/development/session'],
    );
    assert.deepEqual(items[0]!.fields, ['secret_key']);
    assert.equal(items[0]!.source, 'local');
    assert.ok(!JSON.stringify(items).includes(CANARY));
    const detail = await b.table.itemDetail(fromUi, 'lk://payments/development/stripe');
    assert.equal(detail.ageDays, 0);
    assert.ok(!JSON.stringify(detail).includes(CANARY));
    await rejects(b.table.itemDetail(fromUi, 'lk://payments/development/nothing'), 'ITEM_NOT_FOUND');
    await rejects(b.table.itemDetail(fromUi, 'lk://payments/production/stripe'), 'PRODUCTION_REFUSED');
  });

  test('reveal returns the value once asked, and the audit log records it without the value', async () => {
    const r = await b.table.reveal(fromUi, 'lk://payments/development/stripe', 'secret_key');
    assert.equal(r.value, CANARY);
    assert.equal(r.hideAfterMs, 30_000);
    const rows = await b.table.readAudit(fromUi, { op: 'read' });
    assert.equal(rows[0]!.ref, 'lk://payments/development/stripe/secret_key');
    assert.equal(rows[0]!.reason, 'reveal');
    assert.match(rows[0]!.who, /^gui pid \d+/);
    assert.ok(!readFileSync(join(b.home, 'audit.log'), 'utf8').includes(CANARY));
    await rejects(b.table.reveal(fromUi, 'lk://payments/prod/stripe', 'secret_key'), 'PRODUCTION_REFUSED');
  });

  test('copy goes to the clipboard and is cleared after the delay only if still ours', async () => {
    const c = await b.table.copy(fromUi, 'lk://web/development/session', 'key');
    assert.equal(c.clearAfterMs, 150);
    assert.equal(b.clipboard.text, 'web-value');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.clipboard.text, '');
    assert.equal(b.clipboard.clears, 1);

    await b.table.copy(fromUi, 'lk://web/development/session', 'key');
    b.clipboard.text = 'something the user copied since';
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.clipboard.text, 'something the user copied since');
    assert.equal(b.clipboard.clears, 1);
  });

  test('reveal and copy share a budget; past it they are refused and the denial audited', async () => {
    let refused = '';
    for (let i = 0; i < 40 && refused === ''; i++) {
      try {
        await b.table.reveal(fromUi, 'lk://payments/staging/stripe', 'secret_key');
      } catch (error) {
        refused = (error as Error).message;
      }
    }
    assert.match(refused, /^RATE_LIMITED: /);
    const denials = await b.table.readAudit(fromUi, { op: 'denial' });
    assert.equal(denials[0]!.reason, 'reveal-rate');
  });

  test('the chain verifies, and an edited line is found', async () => {
    assert.deepEqual(await b.table.verifyAudit(fromUi), {
      ok: true,
      lines: (await b.table.readAudit(fromUi, {})).length,
    });
    const log = join(b.home, 'audit.log');
    const text = readFileSync(log, 'utf8');
    writeFileSync(log, text.replace('"op":"read"', '"op":"lock"'));
    const report = await b.table.verifyAudit(fromUi);
    assert.equal(report.ok, false);
    assert.match(report.problem ?? '', /line \d+ .* edited/);
    writeFileSync(log, text);
  });

  test('no event, listing or file on disk holds the canary', () => {
    assert.ok(!JSON.stringify(b.events).includes(CANARY));
    assert.ok(!everythingOnDisk(b.home).includes(CANARY));
  });
});

describe('the handler table refuses what the UI would never send', () => {
  let b: Bed;
  before(async () => {
    b = bed();
    await withItems(b);
  });
  after(() => b.cleanup());

  const hostileSenders: [string, IpcEventLike][] = [
    [
      'a sub-frame',
      { senderFrame: { url: 'app://latchkey/index.html', parent: {} }, sender: { id: WINDOW_ID } },
    ],
    [
      'another origin',
      { senderFrame: { url: 'https://evil.example/', parent: null }, sender: { id: WINDOW_ID } },
    ],
    ['file://', { senderFrame: { url: 'file:///tmp/index.html', parent: null }, sender: { id: WINDOW_ID } }],
    [
      'a look-alike host',
      { senderFrame: { url: 'app://latchkey.evil/index.html', parent: null }, sender: { id: WINDOW_ID } },
    ],
    [
      'another window',
      { senderFrame: { url: 'app://latchkey/index.html', parent: null }, sender: { id: WINDOW_ID + 1 } },
    ],
    ['a destroyed frame', { senderFrame: null, sender: { id: WINDOW_ID } }],
  ];
  for (const [what, event] of hostileSenders) {
    test(`a call from ${what} is refused before any work`, async () => {
      const message = await rejects(
        b.table.reveal(event, 'lk://payments/development/stripe', 'secret_key'),
        'PROTOCOL_ERROR',
      );
      assert.ok(!message.includes(CANARY));
      await rejects(b.table.lock(event), 'PROTOCOL_ERROR');
      assert.equal(b.desk.session.locked, false);
    });
  }

  const badArguments: [string, keyof HandlerTable, unknown[]][] = [
    ['a number for a ref', 'reveal', [42, 'secret_key']],
    ['a missing field', 'reveal', ['lk://payments/development/stripe']],
    ['an extra argument', 'lock', ['now']],
    ['a huge ref', 'itemDetail', ['x'.repeat(10_000)]],
    ['an unknown settings key', 'updateSettings', [{ autoLockMinutes: 5, evil: true }]],
    ['negative minutes', 'updateSettings', [{ autoLockMinutes: -1 }]],
    [
      'a prototype key',
      'addStore',
      [JSON.parse('{"name":"x","addr":"https://a","__proto__":{"polluted":1}}')],
    ],
    ['a bad audit time', 'readAudit', [{ since: 'yesterday' }]],
  ];
  for (const [what, call, args] of badArguments) {
    test(`${what} is refused with a clear error`, async () => {
      const handler = b.table[call] as (event: IpcEventLike, ...a: unknown[]) => Promise<unknown>;
      const message = await rejects(handler(fromUi, ...args), 'PROTOCOL_ERROR');
      assert.match(message, new RegExp(`'${call}'`));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  test('settings are saved, validated and applied to the idle lock', async () => {
    const state = await b.table.updateSettings(fromUi, { autoLockMinutes: 5, lockOnSleep: false });
    assert.equal(state.autoLockMinutes, 5);
    assert.equal(b.desk.session.lockAfterMs, 5 * 60_000);
    const saved = JSON.parse(readFileSync(join(b.home, 'app-settings.json'), 'utf8')) as unknown;
    assert.deepEqual(saved, { autoLockMinutes: 5, lockOnSleep: false });
    assert.equal(statSync(join(b.home, 'app-settings.json')).mode & 0o777, 0o600);
  });

  test('shell setup names the hook line for each shell', async () => {
    const s = await b.table.shellSetup(fromUi);
    assert.match(s.bash, /latchkey shell-hook bash/);
    assert.match(s.fish, /latchkey shell-hook fish \| source/);
  });
});

describe('stores and sync against the test server', () => {
  let server: VaultServer;
  let b: Bed;
  before(async () => {
    server = await startVaultServer();
    seedDemoTeam(server);
    b = bed();
    await b.table.createVault(fromUi, PASSWORD);
  });
  after(async () => {
    b.cleanup();
    await server.close();
  });

  test('adding a store checks the token first and keeps it sealed', async () => {
    await rejects(
      b.table.addStore(fromUi, { name: 'corp', addr: server.url, token: 'not-a-token' }),
      'STORE_AUTH_FAILED',
    );
    assert.deepEqual(await b.table.listStores(fromUi), []);
    await rejects(b.table.addStore(fromUi, { name: 'Bad Name', addr: server.url }), 'INVALID_STORE_CONFIG');
    await rejects(
      b.table.addStore(fromUi, {
        name: 'prodonly',
        addr: server.url,
        layout: 'teams/{project}/production/{item}',
      }),
      'PRODUCTION_REFUSED',
    );
    const view = await b.table.addStore(fromUi, { name: 'corp', addr: server.url, token: server.rootToken });
    assert.equal(view.loggedIn, true);
    assert.ok(!readFileSync(join(b.home, 'stores.json'), 'utf8').includes(server.rootToken));
    await rejects(b.table.addStore(fromUi, { name: 'corp', addr: server.url }), 'STORE_EXISTS');
  });

  test('sync reports progress, then the items and the refused ones with their rules', async () => {
    b.events.length = 0;
    const [outcome] = await b.table.syncNow(fromUi);
    assert.equal(outcome!.ok, true);
    assert.ok(outcome!.added > 0);
    const progress = b.events
      .filter((e) => e.name === 'syncProgress')
      .map((e) => e.data as LatchkeyEvents['syncProgress']);
    assert.ok(progress.length >= 2);
    assert.equal(progress.at(-1)!.done, true);
    const [store] = await b.table.listStores(fromUi);
    assert.ok(store!.lastGoodSync);
    assert.ok(store!.refused.length > 0);
    assert.ok(store!.refused.every((r) => r.rule.length > 0 && r.reason.length > 0));
    assert.ok(store!.refused.some((r) => r.production));
    const items = await b.table.listItems(fromUi);
    assert.ok(items.length > 0);
    assert.ok(items.every((i) => i.environment === 'development' || i.environment === 'staging'));
    const synced = items.find((i) => i.source.startsWith('corp:'))!;
    const detail = await b.table.itemDetail(fromUi, synced.ref);
    assert.equal(detail.store, 'corp');
    assert.ok(detail.path);
  });

  test('a store that fails shows its last error in words, and removing it forgets its items', async () => {
    server.faults.sealed(true);
    const [outcome] = await b.table.syncNow(fromUi, 'corp');
    assert.equal(outcome!.ok, false);
    const [store] = await b.table.listStores(fromUi);
    assert.equal(store!.lastError?.code, 'STORE_UNAVAILABLE');
    server.faults.reset();
    await b.table.removeStore(fromUi, 'corp');
    assert.deepEqual(await b.table.listStores(fromUi), []);
    assert.ok((await b.table.listItems(fromUi)).every((i) => i.source === 'local'));
  });
});

describe('the Team view against the test server', () => {
  let server: VaultServer;
  let b: Bed;
  before(async () => {
    server = await startVaultServer();
    server.kvPut('secret', 'teams/payments/development/stripe', { secret_key: 'sk_test_dev' });
    server.kvPut('secret', 'teams/payments/production/stripe', { secret_key: 'sk_test_prod_stand_in' });
    server.addUserpassUser('ivy', 'ivy-password', []);
    b = bed();
    await b.table.createVault(fromUi, PASSWORD);
    await b.table.addStore(fromUi, { name: 'corp', addr: server.url, token: server.rootToken });
  });
  after(async () => {
    b.cleanup();
    await server.close();
  });

  test('preview sends nothing; grant works for the developer; review shows it; revoke takes it back', async () => {
    assert.deepEqual((await b.table.teamAccess(fromUi)).members, []);
    const writes = () =>
      server.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/login/')).length;
    const before = writes();
    const preview = await b.table.previewGrant(fromUi, {
      developer: 'ivy',
      targets: ['payments/development'],
    });
    assert.match(preview.text, /path "secret\/data\/teams\/payments\/development\/\*"/);
    assert.ok(preview.calls.some((c) => c.startsWith('PUT /v1/sys/policies/acl/latchkey-dev-ivy')));
    assert.equal(writes(), before);
    assert.equal(server.getPolicy('latchkey-dev-ivy'), undefined);

    const granted = await b.table.grant(fromUi, {
      developer: 'ivy',
      targets: ['payments/development'],
      expires: '30d',
      invite: true,
    });
    assert.deepEqual(granted.after, ['payments/development']);
    assert.match(
      granted.inviteCommand ?? '',
      /^latchkey store add corp .* --only payments\/development --wrapped-token \S+$/,
    );
    const login = await fetch(`${server.url}/v1/auth/userpass/login/ivy`, {
      method: 'POST',
      body: JSON.stringify({ password: 'ivy-password' }),
    });
    const token = ((await login.json()) as { auth: { client_token: string } }).auth.client_token;
    const read = (path: string) =>
      fetch(`${server.url}/v1/secret/data/${path}`, { headers: { 'X-Vault-Token': token } }).then(
        (r) => r.status,
      );
    assert.equal(await read('teams/payments/development/stripe'), 200);
    assert.equal(await read('teams/payments/production/stripe'), 403);

    const view = await b.table.teamAccess(fromUi);
    assert.equal(view.store, 'corp');
    assert.equal(view.members[0]?.developer, 'ivy');
    assert.equal(view.members[0]?.grants[0]?.target, 'payments/development');
    assert.ok(view.members[0]?.grants[0]?.expires);
    assert.equal(view.members[0]?.edited, false);

    await rejects(
      b.table.grant(fromUi, { developer: 'ivy', targets: ['payments/prod'] }),
      'PRODUCTION_REFUSED',
    );
    await rejects(
      b.table.grant(fromUi, { developer: 'ivy', targets: ['payments/*'] }),
      'PROTOCOL_ERROR|PRODUCTION_REFUSED',
    );
    assert.doesNotMatch(server.getPolicy('latchkey-dev-ivy') ?? '', /prod/);

    const revoked = await b.table.revoke(fromUi, { developer: 'ivy' });
    assert.deepEqual(revoked.before, ['payments/development']);
    assert.deepEqual(revoked.after, []);
    assert.equal(await read('teams/payments/development/stripe'), 403);

    const audit = await b.table.readAudit(fromUi, {});
    assert.ok(
      audit.some(
        (r) => r.op === 'grant' && r.ref === 'grant:ivy@corp:payments/development' && r.who.startsWith('gui'),
      ),
    );
    assert.ok(audit.some((r) => r.op === 'refusal' && r.ref?.startsWith('grant:ivy@corp')));
    assert.ok(audit.some((r) => r.op === 'revoke'));
    assert.ok(!JSON.stringify(audit).includes(server.rootToken));
  });
});

// The Team view in real Chromium against its REAL backend: the built renderer, the handler table main
// registers with ipcMain (sender check + argument schemas), a real Desk with a vault in a temp
// LATCHKEY_HOME, and the test Vault server with ACL enforcement. A team lead previews a grant (nothing
// is sent), grants with an invite (the developer can read development and not production), is
// refused production, sees a short grant in "Expiring soon" and revokes it, sees a hand edit flagged,
// revokes everything (the developer's token loses access), and a hostile project name in a policy
// renders as text. The tests run in order and share one page, as a person would use the view.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { HandlerTable } from '../../main/app/ipc/handler-table';
import { renderPolicy } from '../../main/core/provision';
import { startVaultServer, type VaultServer } from '../fixtures/vault-server';
import { openUi, type OpenUi } from './harness';
import { ipcEventFor, realBackend, type RealBackend } from './real-backend';

const PASSWORD = 'a calm morning passphrase';
const IMG = '<img src=x onerror=window.__pwned=1>';
const RESULTS = resolve(__dirname, '..', '..', '..', 'test-results');
const DEV_PATH = 'secret/data/teams/payments/development/*';

let server: VaultServer;
let table: HandlerTable;
let backend: RealBackend;
let ui: OpenUi;
let page: Page;
/** Every call the page made, by name, in order. */
const callNames = (from = 0): string[] => backend.calls.slice(from).map((c) => c.method);
let ivyToken = '';
let inviteCommand = '';

/** Saves the page in light and dark: test-results/app-team-<name>.png and …-dark.png. */
async function shot(name: string): Promise<void> {
  await page.waitForTimeout(80); // let the last frame settle
  await page.screenshot({ path: join(RESULTS, `app-team-${name}.png`), animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(40);
  await page.screenshot({ path: join(RESULTS, `app-team-${name}-dark.png`), animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Writes the store was sent (anything but reads and the developer's own logins). */
function writes(): string[] {
  return server.requests
    .filter((r) => !['GET', 'LIST', 'HEAD'].includes(r.method) && !r.path.includes('/login/'))
    .map((r) => `${r.method} ${r.path}`);
}

async function readAs(token: string, path: string): Promise<number> {
  const response = await fetch(`${server.url}/v1/secret/data/${path}`, {
    headers: { 'X-Vault-Token': token },
  });
  await response.arrayBuffer();
  return response.status;
}

function matrix(): Locator {
  return page.getByRole('table', { name: 'Access in corp' });
}

function memberRow(developer: string): Locator {
  return matrix()
    .locator('tbody tr')
    .filter({ has: page.locator('.member-name', { hasText: new RegExp(`^${developer}$`) }) });
}

async function columnHeads(): Promise<string[]> {
  const heads = await matrix().locator('thead th.target-head').allTextContents();
  return heads.map((h) => h.trim());
}

async function fillGrant(developer: string, target: string, expires: string, invite: boolean): Promise<void> {
  await page.getByRole('textbox', { name: 'Developer' }).fill(developer);
  await page.getByRole('textbox', { name: 'Project/environment 1' }).fill(target);
  await page.getByRole('textbox', { name: 'Expires after (optional)' }).fill(expires);
  await page.getByRole('checkbox', { name: /Create an invite/ }).setChecked(invite);
}

function preview(): Locator {
  return page.getByRole('region', { name: /^Preview for / });
}

void describe('the Team view against its real backend and a Vault store', () => {
  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    server = await startVaultServer();
    server.kvPut('secret', 'teams/payments/development/stripe', { secret_key: 'sk_test_dev' });
    server.kvPut('secret', 'teams/payments/staging/stripe', { secret_key: 'sk_test_staging' });
    server.kvPut('secret', 'teams/payments/production/stripe', { secret_key: 'sk_test_prod_stand_in' });
    server.addUserpassUser('ivy', 'ivy-password', []);

    backend = realBackend();
    ({ table } = backend);
    const lead = ipcEventFor({ url: 'app://latchkey/index.html', isMainFrame: true });
    await table.createVault(lead, PASSWORD);
    await table.addStore(lead, { name: 'corp', addr: server.url, token: server.rootToken });

    ui = await openUi(backend, { width: 1100, height: 900 });
    page = ui.page;
    page.setDefaultTimeout(5000);
  });

  after(async () => {
    await ui?.close().catch(() => undefined);
    await backend?.cleanup().catch(() => undefined);
    await server?.close().catch(() => undefined);
  });

  void test('the Team link sits between Audit and Settings; with no grants yet the view explains a grant', async () => {
    await page.getByRole('link', { name: 'Team' }).waitFor();
    const links = await page.getByRole('navigation', { name: 'Views' }).getByRole('link').allTextContents();
    assert.deepEqual(
      links.map((l) => l.trim()),
      ['Secrets', 'Sync', 'Audit', 'Team', 'Settings'],
    );
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
    await page.getByText('No one has access through Latchkey yet.').waitFor();
    assert.ok(await page.getByText('writes the policy').isVisible());
    assert.ok(callNames().includes('teamAccess'));
  });

  void test('a developer name the core would refuse never leaves the page', async () => {
    const before = backend.calls.length;
    await fillGrant('Ivy <b>', 'payments/development', '', false);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByText('Use lower-case letters, digits').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Developer' }).getAttribute('aria-invalid'), 'true');
    await page.getByRole('textbox', { name: 'Expires after (optional)' }).fill('soon');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByText('Type a duration like 30d').waitFor();
    assert.deepEqual(callNames(before), [], 'no call was made');
  });

  void test('Preview shows the policy and the calls, and sends nothing', async () => {
    const sentBefore = writes();
    await fillGrant('ivy', 'payments/development', '30d', true);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await preview().waitFor();
    const policy = (await preview().locator('pre').textContent()) ?? '';
    assert.ok(policy.includes(`path "${DEV_PATH}"`), policy);
    assert.ok(!policy.includes('production'));
    const planned = (await preview().getByRole('listitem').allTextContents()).join('\n');
    assert.match(planned, /PUT \/v1\/sys\/policies\/acl\/latchkey-dev-ivy/);
    assert.match(planned, /auth\/token\/create/);
    assert.match(
      (await preview().textContent()) ?? '',
      /Can read now\s*nothing\s*After this\s*payments\/development/,
    );
    // Nothing was written: no policy, no entity, no token.
    assert.deepEqual(writes(), sentBefore);
    assert.ok(
      !server.requests.some(
        (r) => (r.method === 'PUT' || r.method === 'POST') && r.path.startsWith('/v1/sys/policies'),
      ),
    );
    assert.equal(server.getPolicy('latchkey-dev-ivy'), undefined);
    await shot('preview');
  });

  void test('Grant writes the policy, shows ivy in the matrix and the invite once; ivy reads development, not production', async () => {
    await preview().getByRole('button', { name: 'Grant', exact: true }).click();
    const invite = page.getByRole('region', { name: 'Invite for ivy' });
    await invite.waitFor();
    inviteCommand = (await invite.locator('pre').textContent()) ?? '';
    assert.match(
      inviteCommand,
      /^latchkey store add corp --addr \S+ --mount secret --layout 'teams\/\{project\}\/\{env\}\/\{item\}' --only payments\/development --wrapped-token \S+$/,
    );
    assert.match((await invite.textContent()) ?? '', /works once, within 24 h/);
    assert.match((await invite.textContent()) ?? '', /privately/);
    await invite.getByRole('button', { name: 'Copy command' }).click();
    await invite.getByText(/Copied\.|Could not copy/).waitFor();

    await memberRow('ivy').waitFor();
    assert.deepEqual(await columnHeads(), ['payments/development']);
    const cell = (await memberRow('ivy').locator('td.grant-cell').first().textContent()) ?? '';
    assert.match(cell, /Granted/);
    assert.match(cell, /until /);
    assert.match(
      server.getPolicy('latchkey-dev-ivy') ?? '',
      /secret\/data\/teams\/payments\/development\/\*/,
    );
    await shot('invite');

    const login = await fetch(`${server.url}/v1/auth/userpass/login/ivy`, {
      method: 'POST',
      body: JSON.stringify({ password: 'ivy-password' }),
    });
    ivyToken = ((await login.json()) as { auth: { client_token: string } }).auth.client_token;
    assert.equal(await readAs(ivyToken, 'teams/payments/development/stripe'), 200);
    assert.equal(await readAs(ivyToken, 'teams/payments/production/stripe'), 403);

    // The command's wrapping token unwraps once, into a token with exactly ivy's access.
    const wrapping = /--wrapped-token (\S+)$/.exec(inviteCommand)?.[1] ?? '';
    const unwrap = () =>
      fetch(`${server.url}/v1/sys/wrapping/unwrap`, {
        method: 'POST',
        headers: { 'X-Vault-Token': wrapping },
      });
    const first = await unwrap();
    assert.equal(first.status, 200);
    const invited = ((await first.json()) as { auth: { client_token: string } }).auth.client_token;
    assert.equal(await readAs(invited, 'teams/payments/development/stripe'), 200);
    assert.equal(await readAs(invited, 'teams/payments/production/stripe'), 403);
    const second = await unwrap();
    await second.arrayBuffer();
    assert.notEqual(second.status, 200);
  });

  void test('production is refused with the core’s sentence, and nothing is written', async () => {
    const sentBefore = writes();
    const policyBefore = server.getPolicy('latchkey-dev-ivy');
    await fillGrant('ivy', 'payments/production', '', false);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Refused.' });
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /payments\/production/);
    assert.match(text, /nothing was granted/);
    assert.equal(
      await page.getByRole('region', { name: 'Invite for ivy' }).count(),
      0,
      'the invite is shown once',
    );
    assert.equal(await preview().count(), 0);
    assert.deepEqual(writes(), sentBefore);
    assert.equal(server.getPolicy('latchkey-dev-ivy'), policyBefore);
    await shot('refused');
  });

  void test('a short grant is listed under Expiring soon; revoking it there asks first and takes only it', async () => {
    await fillGrant('ivy', 'payments/staging', '2d', false);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await preview().waitFor();
    assert.match((await preview().textContent()) ?? '', /Gains\s*payments\/staging/);
    await preview().getByRole('button', { name: 'Grant', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Granted: ivy can now read' }).waitFor();
    await matrix().locator('thead th.target-head').nth(1).waitFor();
    assert.deepEqual(await columnHeads(), ['payments/development', 'payments/staging']);

    const expiring = page.getByRole('region', { name: /Expiring soon/ });
    const row = expiring.getByRole('listitem').filter({ hasText: 'payments/staging' });
    await row.waitFor();
    assert.equal(await expiring.getByRole('listitem').count(), 1, 'the 30-day grant is not listed');
    await page.getByRole('heading', { level: 1, name: 'Team' }).scrollIntoViewIfNeeded();
    await shot('matrix');

    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const asked = (await dialog.textContent()) ?? '';
    assert.match(asked, /Revoke payments\/staging\?/);
    assert.match(asked, /Can read now\s*payments\/development, payments\/staging/);
    assert.match(asked, /After this\s*payments\/development/);
    assert.match(asked, /Loses\s*payments\/staging/);
    // Cancel first: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.match(server.getPolicy('latchkey-dev-ivy') ?? '', /payments\/staging/);

    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Revoked: ivy can now read payments/development.').waitFor();
    await expiring.getByText('No grant expires in the next 7 days.').waitFor();
    assert.deepEqual(await columnHeads(), ['payments/development']);
    assert.doesNotMatch(server.getPolicy('latchkey-dev-ivy') ?? '', /payments\/staging/);
    assert.equal(await readAs(ivyToken, 'teams/payments/staging/stripe'), 403);
    assert.equal(await readAs(ivyToken, 'teams/payments/development/stripe'), 200);
  });

  void test('a policy edited by hand is flagged after a refresh, and offers only Revoke all', async () => {
    server.putPolicy(
      'latchkey-dev-ivy',
      `${server.getPolicy('latchkey-dev-ivy') ?? ''}path "secret/data/x/*" { capabilities = ["read"] }\n`,
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = memberRow('ivy');
    await row.getByText('edited by hand').waitFor();
    assert.equal(await row.getByRole('button', { name: 'Revoke', exact: true }).count(), 0);
    assert.equal(await row.getByRole('button', { name: 'Revoke all' }).count(), 1);
    await page.getByText('Edited by hand:').waitFor();
    await shot('edited');
  });

  void test('Revoke all asks what ivy loses, then empties the matrix; ivy’s token is refused at once', async () => {
    await memberRow('ivy').getByRole('button', { name: 'Revoke all' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const asked = (await dialog.textContent()) ?? '';
    assert.match(asked, /Revoke all of ivy’s access\?/);
    assert.match(asked, /Can read now\s*payments\/development/);
    assert.match(asked, /After this\s*nothing/);
    assert.match(asked, /latchkey-dev-ivy/);
    await shot('revoke');
    await dialog.getByRole('button', { name: 'Revoke all' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No one has access through Latchkey yet.').waitFor();
    await page.getByText('Revoked: ivy can now read nothing.').waitFor();
    assert.equal(server.getPolicy('latchkey-dev-ivy'), undefined);
    assert.equal(await readAs(ivyToken, 'teams/payments/development/stripe'), 403);

    const audit = await table.readAudit(
      ipcEventFor({ url: 'app://latchkey/index.html', isMainFrame: true }),
      {},
    );
    const ops = audit.filter((r) => r.ref?.startsWith('grant:ivy@corp')).map((r) => `${r.op} ${r.ref ?? ''}`);
    assert.ok(ops.includes('grant grant:ivy@corp:payments/development'), ops.join('\n'));
    assert.ok(ops.includes('revoke grant:ivy@corp:payments/development'), ops.join('\n'));
    assert.ok(
      ops.some((o) => o.startsWith('refusal ')),
      ops.join('\n'),
    );
  });

  void test('a hostile name in a policy renders as text; a foreign grants comment is not trusted', async () => {
    const grantedAt = new Date().toISOString();
    // A grants comment naming a project parseTarget would refuse: not Latchkey's, so no grant is shown.
    server.putPolicy(
      'latchkey-dev-zed',
      renderPolicy({
        developer: 'zed',
        mount: 'secret',
        layout: 'teams/{project}/{env}/{item}',
        grants: [{ project: IMG, env: 'development', environment: 'development', grantedAt }],
      }),
    );
    // And a hand-written policy whose path holds the hostile string and reaches production.
    server.putPolicy(
      'latchkey-dev-yan',
      `path "secret/data/teams/${IMG}/production/*" {\n  capabilities = ["read"]\n}\n`,
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    await memberRow('zed').waitFor();
    await memberRow('yan').waitFor();
    assert.ok(!(await columnHeads()).some((h) => h.includes('<img')), 'the untrusted grant is not a column');
    assert.match((await memberRow('zed').textContent()) ?? '', /edited by hand/);
    const yan = memberRow('yan');
    assert.match((await yan.textContent()) ?? '', /reaches production/);
    await yan.locator('summary').click();
    assert.ok(
      ((await yan.textContent()) ?? '').includes(`secret/data/teams/${IMG}/production/*`),
      'shown as text',
    );
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined);
    await shot('hostile');

    // Revoke all always works, even on a policy Latchkey did not write.
    await yan.getByRole('button', { name: 'Revoke all' }).click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByRole('button', { name: /Revoke/ })
      .last()
      .click();
    await dialog.waitFor({ state: 'detached' });
    await memberRow('yan').waitFor({ state: 'detached' });
    assert.equal(server.getPolicy('latchkey-dev-yan'), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(ui.errors, [], 'no console error, page error, CSP violation or refused request');
  });
});

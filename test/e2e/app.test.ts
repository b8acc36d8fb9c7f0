// The whole app in real Chromium against its REAL backend: the built renderer, the handler table
// main registers with ipcMain (sender check + argument schemas), a real Desk with a vault in a temp
// LATCHKEY_HOME, the real audit log and unlock throttle, and the test Vault server seeded with the
// demo team (production folders, look-alikes, a live-looking key). Only Electron's IPC glue and the
// system clipboard (an in-memory stand-in) are left out. The tests run in order and share one
// browser, one page and one vault, as a person would use the app: first run, lock and unlock, add
// the team's store, sync, browse, reveal and copy, audit, hostile store strings, auto-lock, the
// unlock delay, sender checks, and finally a sweep for a canary value everywhere it must not be.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { LatchkeyApi, SyncOutcome, SyncProgressEvent } from '../../preload/api';
import { seedDemoTeam, startVaultServer, type VaultServer } from '../fixtures/vault-server';
import { launchChromium, openUi, type OpenUi } from './harness';
import { realBackend, type RealBackend } from './real-backend';

const PASSWORD = 'a calm morning passphrase';
const MOUNT = 'secret';
/** Planted in the store; may only ever show up where a test reveals or copies it on purpose. */
const CANARY = 'CANARY-ui-5d81f0c2a9e7b4';
const CANARY_PATH = 'teams/web/development/canary-token';
const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=2</script>';
const REVEAL_HIDE_MS = 1500;
const CLIPBOARD_CLEAR_MS = 700;
const RESULTS = resolve(__dirname, '..', '..', '..', 'test-results');

/** What page.evaluate sees on `globalThis` (the test project has no DOM types). */
interface PageGlobals {
  readonly latchkey: LatchkeyApi;
  readonly __pwned?: unknown;
}

let server: VaultServer;
let backend: RealBackend;
let browser: Browser;
let ui: OpenUi;
let page: Page;

async function shot(name: string, tall = false): Promise<void> {
  // The views scroll inside the window: a tall window shows a long view whole.
  if (tall) await page.setViewportSize({ width: 1100, height: 1500 });
  await page.waitForTimeout(80); // let the last frame settle
  await page.screenshot({ path: join(RESULTS, `app-${name}.png`), animations: 'disabled' });
  if (tall) await page.setViewportSize({ width: 1100, height: 720 });
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function view(name: 'Secrets' | 'Sync' | 'Audit' | 'Settings'): Locator {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name });
}

/** The text of a fact of the open item (`<dt>name</dt><dd>…</dd>`). */
function fact(name: string): Locator {
  return page.locator(`dl.facts dt:text-is("${name}") + dd`);
}

function optionLabels(): Promise<string[]> {
  return page
    .getByRole('option')
    .evaluateAll((nodes) =>
      nodes.map(
        (node) =>
          (node as unknown as { getAttribute(n: string): string | null }).getAttribute('aria-label') ?? '',
      ),
    );
}

function lastAnswer<T>(method: string): T {
  const call = [...backend.calls].reverse().find((c) => c.method === method && c.ok);
  assert.ok(call, `no successful ${method} call`);
  return JSON.parse(call.answer) as T;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) return filesUnder(path);
    return st.isFile() ? [path] : [];
  });
}

/** The steps build on each other: after one fails, the rest are skipped (not failed again). */
let broken: string | undefined;
function step(name: string, run: () => Promise<void>): void {
  void test(name, async (t) => {
    if (broken !== undefined) {
      t.skip(`skipped: an earlier step failed (${broken})`);
      return;
    }
    try {
      await run();
    } catch (error) {
      broken = name;
      throw error;
    }
  });
}

function assertNoPageErrors(): void {
  assert.deepEqual(ui.errors, [], 'no console error, page error, CSP violation or refused request');
}

void describe('the app against its real backend and a Vault store', () => {
  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    server = await startVaultServer();
    seedDemoTeam(server);
    server.kvPut(MOUNT, CANARY_PATH, { token: CANARY }, { customMetadata: { environment: 'development' } });
    backend = realBackend({ revealHideMs: REVEAL_HIDE_MS, clipboardClearMs: CLIPBOARD_CLEAR_MS });
    browser = await launchChromium();
    ui = await openUi(backend, { browser, width: 1100, height: 720 });
    page = ui.page;
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await ui?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await backend?.cleanup().catch(() => undefined);
    await server?.close().catch(() => undefined);
  });

  step(
    'first run: the create view refuses mismatched and short passwords, then creates the vault',
    async () => {
      assert.equal(backend.desk.getState().phase, 'absent');
      await page.getByRole('heading', { name: 'Create your vault' }).waitFor();
      await shot('first-run');
      const first = page.getByRole('textbox', { name: 'Password', exact: true });
      const second = page.getByRole('textbox', { name: 'Repeat password' });
      const create = page.getByRole('button', { name: 'Create vault' });

      await first.fill(PASSWORD);
      await second.fill(`${PASSWORD}!`);
      await create.click();
      await page
        .getByRole('alert')
        .getByText('The two passwords are not the same. Type them again.')
        .waitFor();
      assert.equal(await first.inputValue(), '', 'both fields are cleared after the read');
      assert.equal(await second.inputValue(), '');
      assert.equal(backend.desk.store.exists(), false, 'no vault was created');

      await first.fill('short1!');
      await second.fill('short1!');
      await create.click();
      await page
        .getByRole('alert')
        .getByText(/^Use at least 10 characters\./)
        .waitFor();
      assert.equal(backend.desk.store.exists(), false);
      assert.equal(
        backend.calls.filter((c) => c.method === 'createVault').length,
        0,
        'the page refused it itself',
      );

      // The core's own rule answers whatever the page lets through, with the CLI's sentence.
      const refused = await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).latchkey.createVault('short').then(
          () => 'created',
          (error: Error) => error.message,
        ),
      );
      assert.match(refused, /^PASSWORD_INVALID: a master password must be 8 to 1024 bytes/);
      assert.equal(backend.desk.store.exists(), false);

      await first.fill(PASSWORD);
      await second.fill(PASSWORD);
      await create.click();
      await page.getByRole('heading', { name: 'No secrets yet' }).waitFor();
      await page.getByText(/Add your team’s store in Settings .*, then sync to fetch/).waitFor();
      assert.equal(await view('Secrets').getAttribute('aria-current'), 'page');
      assert.equal(backend.desk.getState().phase, 'unlocked');
      assert.equal(backend.desk.store.exists(), true);
      assertNoPageErrors();
    },
  );

  step('Lock, then a wrong password is refused and cleared, and the right one opens the vault', async () => {
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('heading', { name: 'Unlock Latchkey' }).waitFor();
    await page.getByText('You locked the vault.').waitFor();
    assert.equal(backend.desk.session.locked, true);
    await shot('unlock');

    const field = page.getByRole('textbox', { name: 'Password' });
    await field.fill('not the master password');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').getByText('That is not the master password of this vault').waitFor();
    assert.equal(await field.inputValue(), '', 'the field is cleared after the read');
    assert.equal(backend.desk.session.locked, true);
    await shot('unlock-wrong');

    await field.fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('heading', { name: 'No secrets yet' }).waitFor();
    assert.equal(await view('Secrets').getAttribute('aria-current'), 'page');
    assert.equal(backend.desk.session.locked, false);
    assertNoPageErrors();
  });

  step(
    'Settings adds the store with its token (checked against the server), and Sync shows progress, outcome and refusals',
    async () => {
      await page.getByRole('button', { name: 'Open Settings' }).click();
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      const name = page.getByRole('textbox', { name: 'Store name' });
      const addr = page.getByRole('textbox', { name: 'Address' });
      const token = page.getByRole('textbox', { name: 'Token (optional)' });
      const add = page.getByRole('button', { name: 'Add store' });

      await name.fill('corp');
      await addr.fill(server.url);
      await token.fill('not-a-token');
      await add.click();
      await page.getByRole('alert').waitFor();
      assert.equal(lastFailure('addStore'), true);
      const authFailure = lastFailureMessage('addStore');
      assert.match(authFailure, /^STORE_AUTH_FAILED: /);
      // The sentence the CLI prints, as a sentence, without the code.
      const sentence = authFailure.replace(/^STORE_AUTH_FAILED: /, '');
      assert.equal(
        await page.getByRole('alert').textContent(),
        sentence.charAt(0).toUpperCase() + sentence.slice(1),
      );
      assert.deepEqual(backend.desk.listStores(), [], 'a token the server refuses adds nothing');
      assert.equal(await token.inputValue(), '', 'the token field is cleared after the read');

      await token.fill(server.rootToken);
      await add.click();
      await page.getByText('Added corp. Open Sync to fetch its secrets.').waitFor();
      await page.locator('.store-row').getByText('signed in', { exact: false }).waitFor();
      const [store] = backend.desk.listStores();
      assert.equal(store?.name, 'corp');
      assert.equal(store?.loggedIn, true);
      assert.ok(!readFileSync(join(backend.home, 'stores.json'), 'utf8').includes(server.rootToken));
      await shot('settings', true);

      // Slow the store down so the progress is there to be seen.
      server.faults.delay(120);
      try {
        await view('Sync').click();
        await page.getByRole('heading', { level: 1, name: 'Sync' }).waitFor();
        backend.events.length = 0;
        await page.getByRole('button', { name: 'Sync now' }).click();
        await page.getByRole('progressbar', { name: 'Sync progress of corp' }).waitFor();
        await page.getByText(/^(Listing… \d+ items? found|Reading \d+ of \d+ changed)$/).waitFor();
        await shot('sync-progress');
        await page.getByText(/^Synced in /).waitFor({ timeout: 15_000 });
      } finally {
        server.faults.reset();
      }
      const progress = backend.events
        .filter((e) => e.name === 'syncProgress')
        .map((e) => e.data as SyncProgressEvent);
      assert.ok(progress.some((p) => !p.done) && progress.at(-1)?.done === true, 'progress, then done');
      const [outcome] = lastAnswer<SyncOutcome[]>('syncNow');
      assert.ok(outcome?.ok);
      const said = (await page.getByText(/^Synced in /).textContent()) ?? '';
      assert.match(
        said,
        new RegExp(`: ${outcome.added} added, 0 updated, 0 removed, ${outcome.refused} refused\\.$`),
      );
      assert.equal(await page.getByRole('progressbar').count(), 0, 'the progress bar is gone');

      // Every refusal is listed with its rule; production ones are marked.
      const refused = backend.desk.listStores()[0]?.refused ?? [];
      const rules = new Set(refused.map((r) => r.rule));
      for (const rule of [
        'environment-name-production',
        'metadata-production',
        'stripe-live-secret-key',
        'value-not-text',
      ]) {
        assert.ok(rules.has(rule), `a refusal by ${rule}`);
      }
      assert.ok(
        refused.some((r) => r.ref === 'lk://payments/\uFF50\uFF52\uFF4F\uFF44/*'),
        'the look-alike',
      );
      await page.getByRole('heading', { name: `Refused (${refused.length})` }).waitFor();
      for (const r of refused) {
        const row = page.locator('table tbody tr', { hasText: r.ref });
        assert.equal(await row.count(), 1, `one row for ${r.ref}`);
        assert.equal(await row.locator('td').nth(1).locator('code').textContent(), r.rule);
        assert.equal(await row.locator('td').nth(2).textContent(), r.reason);
        assert.equal(await row.getByText('production', { exact: true }).count(), r.production ? 1 : 0);
      }
      await shot('sync-done', true);

      // Production never reaches the Secrets list.
      await view('Secrets').click();
      await page.getByRole('searchbox', { name: 'Search secrets' }).waitFor();
      const listed = backend.desk.listItems().map((i) => i.ref);
      assert.equal(listed.length, outcome.added);
      await page.getByText(`${outcome.added} secrets in 2 projects`).waitFor();
      assert.deepEqual((await optionLabels()).sort(), [...listed].sort());
      for (const ref of listed) {
        assert.match(ref, /^lk:\/\/(payments|web)\/(development|staging)\/[a-z-]+$/);
        assert.doesNotMatch(ref, /prod|\uFF50\uFF52\uFF4F\uFF44|ledger|card-processor/);
      }
      await page.getByRole('searchbox', { name: 'Search secrets' }).fill('production');
      await page.getByRole('heading', { name: 'Nothing matches' }).waitFor();
      await page.getByRole('searchbox', { name: 'Search secrets' }).press('Escape');
      assertNoPageErrors();
    },
  );

  step(
    'browse and search: the demo team is listed, search filters, the keyboard opens an item with its source and version',
    async () => {
      const search = page.getByRole('searchbox', { name: 'Search secrets' });
      await search.waitFor();
      assert.equal(await search.inputValue(), '');
      for (const ref of [
        'lk://payments/development/stripe',
        'lk://payments/development/postgres',
        'lk://payments/staging/stripe',
        'lk://payments/staging/postgres',
        'lk://web/development/session',
        'lk://web/development/sentry',
        'lk://web/staging/session',
      ]) {
        await page.getByRole('option', { name: ref, exact: true }).waitFor();
      }
      for (const group of ['payments', 'web']) {
        assert.ok((await page.locator('.list-group .group-project', { hasText: group }).count()) >= 2);
      }

      await search.click();
      await search.pressSequentially('stripe', { delay: 20 });
      await page.getByText(/^2 of \d+ match$/).waitFor();
      assert.deepEqual(await optionLabels(), [
        'lk://payments/development/stripe',
        'lk://payments/staging/stripe',
      ]);

      await search.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'stripe' }).waitFor();
      await page
        .locator('.detail-ref')
        .getByText('lk://payments/development/stripe', { exact: true })
        .waitFor();
      assert.equal(await fact('Source').textContent(), 'Store corp · teams/payments/development/stripe');
      // Seeded twice: the store holds version 2.
      assert.equal(await fact('Version').textContent(), '2');

      await search.press('ArrowDown');
      await search.press('Enter');
      await page.locator('.detail-ref').getByText('lk://payments/staging/stripe', { exact: true }).waitFor();
      assert.equal(await fact('Source').textContent(), 'Store corp · teams/payments/staging/stripe');
      assert.equal(await fact('Version').textContent(), '1');
      assert.deepEqual(
        await page
          .locator('.fields')
          .getByRole('group')
          .evaluateAll((nodes) =>
            nodes.map((n) =>
              (n as unknown as { getAttribute(a: string): string | null }).getAttribute('aria-label'),
            ),
          ),
        ['api_key', 'webhook_secret'],
      );
      await page
        .getByRole('option', { name: 'lk://payments/staging/stripe' })
        .and(page.locator('.open'))
        .waitFor();
      await shot('secrets');
      assertNoPageErrors();
    },
  );

  step(
    'reveal shows the store value, hides it again and is audited; copy fills the clipboard and clears it only if still ours',
    async () => {
      const search = page.getByRole('searchbox', { name: 'Search secrets' });
      await search.fill('canary');
      await page.getByText(/^1 of \d+ match$/).waitFor();
      await search.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'canary-token' }).waitFor();
      const field = page.getByRole('group', { name: 'token' });
      const upstream = server.kvRead(MOUNT, CANARY_PATH)?.token;
      assert.equal(upstream, CANARY);

      const clicked = Date.now();
      await field.getByRole('button', { name: 'Reveal' }).click();
      const shown = field.locator('.field-value.revealed code');
      await shown.waitFor();
      assert.equal(await shown.textContent(), upstream);
      await field.getByText(/^Hides in \d s$/).waitFor();
      await shot('item-detail-revealed');
      const [read] = backend.desk.readAudit({ op: 'read' });
      assert.equal(read?.ref, 'lk://web/development/canary-token/token');
      assert.equal(read?.reason, 'reveal');
      assert.equal(read?.result, 'ok');
      await shown.waitFor({ state: 'detached', timeout: REVEAL_HIDE_MS + 5000 });
      const hiddenAfter = Date.now() - clicked;
      assert.ok(hiddenAfter >= REVEAL_HIDE_MS - 100, `hidden after ${hiddenAfter} ms`);
      await field.getByRole('button', { name: 'Reveal' }).waitFor();
      assert.equal(await field.locator('.field-value.masked').count(), 1);
      assert.ok(!(await page.content()).includes(CANARY), 'the value left the page');

      await field.getByRole('button', { name: 'Copy' }).click();
      await field.getByText(/^Copied — clears in \d s$/).waitFor();
      assert.equal(backend.clipboard.text, upstream);
      assert.ok(!(await page.content()).includes(CANARY), 'copy never gives the value to the page');
      await until('the clipboard is cleared', () => backend.clipboard.text === '', CLIPBOARD_CLEAR_MS + 3000);
      assert.equal(backend.clipboard.clears, 1);

      await field.getByRole('button', { name: 'Copy' }).click();
      await until('the value is copied again', () => backend.clipboard.text === upstream);
      backend.clipboard.text = 'something the user copied since';
      await page.waitForTimeout(CLIPBOARD_CLEAR_MS + 400);
      assert.equal(backend.clipboard.text, 'something the user copied since', 'not ours any more: kept');
      assert.equal(backend.clipboard.clears, 1);
      assert.deepEqual(
        backend.desk
          .readAudit({ op: 'read' })
          .slice(0, 3)
          .map((r) => r.reason),
        ['copy', 'copy', 'reveal'],
      );
      assertNoPageErrors();
    },
  );

  step(
    'the audit view shows unlock, sync and read lines, verifies the chain, and finds an edited line',
    async () => {
      await view('Audit').click();
      await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
      await page.locator('table.audit-table tbody tr').first().waitFor();
      const ops = new Set(await page.locator('table.audit-table tbody tr td:nth-child(3)').allTextContents());
      for (const op of ['unlock', 'unlock-failed', 'lock', 'store', 'sync', 'refusal', 'read']) {
        assert.ok(ops.has(op), `an audit row for ${op} (have ${[...ops].join(', ')})`);
      }
      const readRow = page.locator('table.audit-table tbody tr', {
        hasText: 'lk://web/development/canary-token/token',
      });
      assert.ok((await readRow.count()) >= 3);
      await readRow.filter({ hasText: 'reveal' }).first().waitFor();
      assert.match((await readRow.first().locator('td').nth(1).textContent()) ?? '', /^gui pid \d+/);
      await shot('audit');

      const lines = backend.desk.verifyAudit().lines;
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page.getByRole('status').getByText(`The chain is intact: ${lines} lines verified.`).waitFor();

      const log = join(backend.home, 'audit.log');
      const original = readFileSync(log, 'utf8');
      const at = original.indexOf('"op":"sync"');
      assert.ok(at > 0);
      writeFileSync(log, `${original.slice(0, at)}"op":"sYnc"${original.slice(at + '"op":"sync"'.length)}`);
      try {
        await page.getByRole('button', { name: 'Verify chain' }).click();
        const alert = page.getByRole('alert').filter({ hasText: 'The chain is broken.' });
        await alert.waitFor();
        const report = backend.desk.verifyAudit();
        assert.equal(report.ok, false);
        assert.match((await alert.textContent()) ?? '', /The chain is broken\. Line \d+ \(seq \d+\) is /);
        assert.ok(((await alert.textContent()) ?? '').includes(report.problem!.slice(1)));
        await shot('audit-tampered');
      } finally {
        writeFileSync(log, original);
      }
      assert.equal(backend.desk.verifyAudit().ok, true);
      assertNoPageErrors();
    },
  );

  step(
    'hostile store strings (names, metadata, values) are shown as literal text and never run',
    async () => {
      server.kvPut(MOUNT, `teams/web/development/${IMG}`, { token: 'hostile-item-name' });
      server.kvPut(MOUNT, `teams/${IMG}/development/thing`, { token: 'hostile-project-name' });
      server.kvPut(
        MOUNT,
        'teams/web/development/meta-script',
        { token: 'x' },
        { customMetadata: { environment: SCRIPT } },
      );
      server.kvPut(
        MOUNT,
        'teams/web/development/meta-img',
        { token: 'x' },
        { customMetadata: { environment: IMG } },
      );
      server.kvPut(
        MOUNT,
        'teams/web/development/hostile-value',
        { html: `${IMG}${SCRIPT}` },
        { customMetadata: { environment: 'development', owner: IMG, description: SCRIPT } },
      );

      await view('Sync').click();
      await page.getByRole('button', { name: 'Sync now' }).click();
      await page
        .getByText(/^Synced in .*: 1 added, 0 updated, 0 removed, \d+ refused\.$/)
        .waitFor({ timeout: 15_000 });
      const refused = backend.desk.listStores()[0]?.refused ?? [];
      const byPath = (path: string) => refused.find((r) => r.path === path);
      assert.equal(byPath(`teams/web/development/${IMG}`)?.rule, 'name-invalid');
      assert.equal(byPath(`teams/${IMG}/`)?.rule, 'name-invalid');
      assert.equal(byPath('teams/web/development/meta-script')?.rule, 'metadata-unknown');
      assert.equal(byPath('teams/web/development/meta-img')?.rule, 'metadata-unknown');

      // The refusals quote them, as text.
      await page.getByText(`lk://web/development/${IMG}`, { exact: true }).waitFor();
      await page.getByText(`the item name '${IMG}' cannot be a Latchkey name`, { exact: true }).waitFor();
      await page.getByText(`lk://${IMG}/*`, { exact: true }).waitFor();
      await page.getByText(`the project name '${IMG}' cannot be a Latchkey name`, { exact: true }).waitFor();
      await page
        .getByText(`The metadata "environment" says "${SCRIPT.slice(0, 32)}", which is neither`)
        .waitFor();
      await page
        .getByText(
          `The metadata "environment" says "${IMG.slice(0, 32).replace(/"/g, '\\"')}", which is neither`,
        )
        .waitFor();
      await page
        .locator('table tbody tr', { hasText: `lk://web/development/${IMG}` })
        .scrollIntoViewIfNeeded();
      await shot('hostile');

      // A value made of markup is revealed as that markup.
      await view('Secrets').click();
      const search = page.getByRole('searchbox', { name: 'Search secrets' });
      await search.fill('hostile');
      await page.getByText(/^1 of \d+ match$/).waitFor();
      await search.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'hostile-value' }).waitFor();
      const field = page.getByRole('group', { name: 'html' });
      await field.getByRole('button', { name: 'Reveal' }).click();
      await field
        .locator('.field-value.revealed code')
        .getByText(`${IMG}${SCRIPT}`, { exact: true })
        .waitFor();

      // And the audit log names them, as text.
      await view('Audit').click();
      await page
        .locator('table.audit-table')
        .getByText(`lk://web/development/${IMG}`, { exact: true })
        .first()
        .waitFor();

      const pwned = await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned);
      assert.equal(pwned, undefined, 'no store string ran as script');
      assert.equal(await page.locator('img').count(), 0, 'no <img> was created');
      assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline <script> was created');
      const handlers = await page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: { querySelectorAll(s: string): Iterable<{ getAttributeNames(): string[] }> };
          }
        ).document;
        return [...doc.querySelectorAll('*')].flatMap((el) =>
          el.getAttributeNames().filter((n) => n.startsWith('on')),
        );
      });
      assert.deepEqual(handlers, [], 'no element carries an on* attribute');
      assertNoPageErrors();
    },
  );

  step('Settings changes the idle lock, and an idle lock shows the unlock view with its reason', async () => {
    await view('Settings').click();
    const minutes = page.getByRole('spinbutton', { name: 'Auto-lock minutes' });
    assert.equal(await minutes.inputValue(), '15');
    await minutes.fill('5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved: the vault locks after 5 minutes without use.').waitFor();
    assert.equal(backend.desk.session.lockAfterMs, 5 * 60_000);
    assert.deepEqual(JSON.parse(readFileSync(join(backend.home, 'app-settings.json'), 'utf8')), {
      autoLockMinutes: 5,
      lockOnSleep: true,
    });

    // What the idle timer (and the system-idle poll) does when the minutes are up.
    backend.desk.lock('idle');
    await page.getByRole('heading', { name: 'Unlock Latchkey' }).waitFor();
    await page.getByText('Locked after 5 minutes idle.').waitFor();
    assert.equal(backend.desk.getState().lastLockReason, 'idle');
    assert.equal(await page.getByRole('navigation').count(), 0, 'nothing of the unlocked app is left');
    assertNoPageErrors();
  });

  step('after four wrong passwords the real throttle blocks unlock, and the button counts down', async () => {
    const field = page.getByRole('textbox', { name: 'Password' });
    const button = page.locator('button[type=submit]');
    const unlockCalls = (): number => backend.calls.filter((c) => c.method === 'unlock').length;
    for (let i = 1; i <= 4; i++) {
      const sent = unlockCalls();
      await field.fill(`wrong guess ${i}`);
      await button.click();
      assert.equal(await field.inputValue(), '', 'the field is cleared at once');
      // The session waits longer after each wrong answer (0.5 s, 1 s, 2 s, 4 s).
      await until(`wrong password ${i} is answered`, () => unlockCalls() === sent + 1, 10_000);
      await page.getByRole('alert').getByText('That is not the master password of this vault').waitFor();
      if (i < 4) await page.locator('button[type=submit]:not([disabled])', { hasText: /^Unlock$/ }).waitFor();
    }
    assert.deepEqual(
      backend.calls.slice(-4).map((c) => (JSON.parse(c.answer) as { code?: string }).code),
      ['WRONG_PASSWORD', 'WRONG_PASSWORD', 'WRONG_PASSWORD', 'WRONG_PASSWORD'],
    );
    await page.getByText(/^You can try again in [1-5] s\.$/).waitFor();
    assert.equal(await button.isDisabled(), true);
    const blockedUntil = backend.desk.getState().unlockBlockedUntil;
    assert.ok(blockedUntil > Date.now());

    // Even the right password is refused early, without running the KDF.
    const early = await page.evaluate(
      (password) => (globalThis as unknown as PageGlobals).latchkey.unlock(password),
      PASSWORD,
    );
    assert.equal(early.ok, false);
    assert.equal(early.code, 'RATE_LIMITED');
    assert.equal(backend.desk.session.locked, true);

    // The app reloads the renderer on lock: the delay comes back with the state.
    await page.reload();
    await page.getByText(/^Too many wrong passwords\. You can try again in [1-5] s\.$/).waitFor();
    assert.equal(await button.isDisabled(), true);
    const countdown = await page.getByText(/You can try again in/).textContent();
    await page.waitForTimeout(1100);
    assert.notEqual(await page.getByText(/You can try again in/).textContent(), countdown, 'it counts down');
    assertNoPageErrors();
  });

  step(
    'calls from a sub-frame, another origin or to an unknown channel are refused before any work',
    async () => {
      await page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: {
              createElement(tag: string): { srcdoc: string; id: string };
              body: { append(node: unknown): void };
            };
          }
        ).document;
        const frame = doc.createElement('iframe');
        frame.id = 'intruder';
        frame.srcdoc = '<p>a frame inside the Latchkey page</p>';
        doc.body.append(frame);
      });
      await until('the frame is attached', () => page.frames().length === 2);
      const frame = page.frames().find((f) => f !== page.mainFrame())!;
      await frame.waitForLoadState();
      const before = backend.calls.length;
      const fromFrame = await frame.evaluate(() => {
        const bridge = (globalThis as unknown as Partial<PageGlobals>).latchkey;
        if (bridge === undefined) return 'no bridge in the frame';
        return bridge.getState().then(
          () => 'answered',
          (error: Error) => error.message,
        );
      });
      assert.match(fromFrame, /^PROTOCOL_ERROR: refused an IPC call from a sub-frame$/);
      const seen = backend.calls.slice(before);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.frame.isMainFrame, false);
      assert.ok(backend.log.some((line) => /'getState': refused an IPC call from a sub-frame/.test(line)));

      // The page's own frame is answered.
      const own = await page.evaluate(() => (globalThis as unknown as PageGlobals).latchkey.getState());
      assert.equal(own.phase, 'locked');

      // A call that reports another origin, even from a top frame of our window.
      await assert.rejects(
        backend.call('getState', [], { url: 'https://evil.example/', isMainFrame: true }),
        /^Error: PROTOCOL_ERROR: refused an IPC call from a page that is not the Latchkey UI$/,
      );
      await assert.rejects(
        backend.call('lock', [], { url: 'app://latchkey.evil.example/index.html', isMainFrame: true }),
        /^Error: PROTOCOL_ERROR: /,
      );
      // A channel nobody registered.
      const unknown = await page.evaluate(() =>
        (
          globalThis as unknown as {
            __latchkeyCall(m: string, a: unknown[]): Promise<{ ok: boolean; message?: string }>;
          }
        ).__latchkeyCall('exportVault', []),
      );
      assert.equal(unknown.ok, false);
      assert.match(unknown.message ?? '', /^PROTOCOL_ERROR: /);

      await page.evaluate(() =>
        (
          globalThis as unknown as { document: { getElementById(id: string): { remove(): void } | null } }
        ).document
          .getElementById('intruder')
          ?.remove(),
      );
      assertNoPageErrors();
    },
  );

  step('the canary value is nowhere but in the answers that revealed it on purpose', async () => {
    const files = filesUnder(backend.dir);
    for (const expected of [backend.desk.store.paths.vault, join(backend.home, 'audit.log')])
      assert.ok(files.includes(expected), `${expected} is among ${files.join(', ')}`);
    for (const file of files) {
      const bytes = readFileSync(file);
      assert.ok(!bytes.toString('latin1').includes(CANARY), `${file} holds the canary`);
      assert.ok(!bytes.toString('utf16le').includes(CANARY), `${file} holds the canary (UTF-16)`);
    }
    assert.ok(!JSON.stringify(backend.events).includes(CANARY), 'an event carried the canary');
    assert.ok(!ui.errors.join('\n').includes(CANARY));
    assert.ok(!ui.messages.join('\n').includes(CANARY), 'the console printed the canary');
    assert.ok(!backend.log.join('\n').includes(CANARY), 'the handler log holds the canary');
    assert.ok(!(await page.content()).includes(CANARY));
    const carriers = backend.calls.filter((c) => c.answer.includes(CANARY) || c.method.includes(CANARY));
    assert.ok(carriers.length >= 1, 'the reveal test revealed it');
    for (const c of carriers) assert.equal(`${c.method} ${c.ok}`, 'reveal true');
    assert.ok(!backend.clipboard.text.includes(CANARY));
  });
});

function lastFailure(method: string): boolean {
  const call = [...backend.calls].reverse().find((c) => c.method === method);
  return call !== undefined && !call.ok;
}

function lastFailureMessage(method: string): string {
  const call = [...backend.calls].reverse().find((c) => c.method === method && !c.ok);
  return call === undefined ? '' : (JSON.parse(call.answer) as string);
}

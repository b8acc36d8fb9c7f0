/**
 * DEVELOPMENT PREVIEW: opens every view of the built renderer against the fake backend, in light
 * and dark, and saves screenshots to test-results/preview-<view>-<scheme>.png.
 *   npm run build && node dist/test/e2e/preview/shoot.js [view…]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { firstContentfulPaint, openUi } from '../harness';
import { FakeBackend, PREVIEW_PASSWORD, type FakeOptions } from './fake-backend';

const root = path.resolve(__dirname, '../../../..');
const out = path.join(root, 'test-results');
const only = process.argv.slice(2);

type Scheme = 'light' | 'dark';

async function withUi(
  scheme: Scheme,
  options: FakeOptions,
  run: (page: Page, backend: FakeBackend) => Promise<void>,
  size = { width: 1100, height: 720 },
): Promise<void> {
  const backend = new FakeBackend(options);
  const ui = await openUi(backend, { colorScheme: scheme, ...size });
  try {
    await run(ui.page, backend);
  } finally {
    await ui.close();
  }
  if (ui.errors.length > 0) process.stdout.write(`  errors: ${ui.errors.join('\n    ')}\n`);
}

async function shot(page: Page, name: string, scheme: Scheme): Promise<void> {
  const file = path.join(out, `preview-${name}-${scheme}.png`);
  await page.waitForTimeout(120);
  await page.screenshot({ path: file, animations: 'disabled' });
  process.stdout.write(`  ${path.relative(root, file)}\n`);
}

async function unlock(page: Page): Promise<void> {
  await page.getByRole('textbox', { name: 'Password' }).fill(PREVIEW_PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('searchbox', { name: 'Search secrets' }).waitFor();
}

const views: Record<string, (scheme: Scheme) => Promise<void>> = {
  'first-run': (scheme) =>
    withUi(scheme, { phase: 'absent' }, async (page) => {
      await page
        .getByRole('textbox', { name: 'Password', exact: true })
        .pressSequentially('Tr0ub4dor&3x', { delay: 5 });
      await page.getByText('Strength:').waitFor();
      await shot(page, 'first-run', scheme);
    }),
  unlock: (scheme) =>
    withUi(scheme, { phase: 'locked' }, async (page) => {
      await page.getByRole('button', { name: 'Unlock' }).waitFor();
      process.stdout.write(`  first contentful paint: ${(await firstContentfulPaint(page)).toFixed(0)} ms\n`);
      await shot(page, 'unlock', scheme);
      await page.getByRole('textbox', { name: 'Password' }).fill('not it');
      await page.getByRole('button', { name: 'Unlock' }).click();
      await page.getByRole('alert').waitFor();
      await shot(page, 'unlock-wrong', scheme);
    }),
  secrets: (scheme) =>
    withUi(scheme, { phase: 'locked' }, async (page) => {
      await unlock(page);
      await shot(page, 'secrets-start', scheme);
      const search = page.getByRole('searchbox', { name: 'Search secrets' });
      await search.pressSequentially('stripe-eu', { delay: 10 });
      await search.press('ArrowDown');
      await search.press('ArrowDown');
      await search.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'stripe-eu' }).waitFor();
      await page.getByRole('group', { name: 'secret_key' }).getByRole('button', { name: 'Reveal' }).click();
      await page
        .getByRole('group', { name: 'publishable_key' })
        .getByRole('button', { name: 'Copy' })
        .click();
      await page.getByText('Copied').waitFor();
      await shot(page, 'secrets', scheme);
      await search.fill('hostile');
      await search.press('Enter');
      await page.getByRole('group', { name: 'api_key' }).getByRole('button', { name: 'Reveal' }).click();
      await shot(page, 'secrets-hostile', scheme);
    }),
  sync: (scheme) =>
    withUi(
      scheme,
      { phase: 'unlocked', syncMs: 3000 },
      async (page) => {
        await page.getByRole('link', { name: 'Sync' }).click();
        await page.getByRole('button', { name: 'Sync now' }).click();
        await page.waitForTimeout(1600);
        await shot(page, 'sync-progress', scheme);
        await page.getByRole('button', { name: 'Sync now' }).waitFor({ timeout: 10_000 });
        await page.locator('progress').first().waitFor({ state: 'detached', timeout: 10_000 });
        await shot(page, 'sync', scheme);
        await page.getByText('The last good copy stays usable offline.').scrollIntoViewIfNeeded();
        await shot(page, 'sync-failed-store', scheme);
      },
      { width: 1100, height: 900 },
    ),
  audit: (scheme) =>
    withUi(scheme, { phase: 'unlocked' }, async (page) => {
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page.getByText('The chain is intact').waitFor();
      await shot(page, 'audit', scheme);
    }),
  'audit-broken': (scheme) =>
    withUi(scheme, { phase: 'unlocked', brokenChain: true }, async (page) => {
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page.getByText('The chain is broken').waitFor();
      await shot(page, 'audit-broken', scheme);
    }),
  settings: (scheme) =>
    withUi(
      scheme,
      { phase: 'unlocked' },
      async (page) => {
        await page.getByRole('link', { name: 'Settings' }).click();
        await page.getByRole('textbox', { name: 'Store name' }).fill('corp');
        await page.getByRole('textbox', { name: 'Address' }).fill('https://vault.example.com');
        await page.getByRole('button', { name: 'Add store' }).click();
        await page.getByRole('alert').waitFor();
        await page.getByRole('button', { name: 'Remove legacy' }).click();
        await shot(page, 'settings', scheme);
      },
      { width: 1100, height: 1400 },
    ),
  empty: (scheme) =>
    withUi(scheme, { phase: 'unlocked', itemCount: 0, stores: false, audit: false }, async (page) => {
      await page.getByText('No secrets yet').waitFor();
      await shot(page, 'empty-secrets', scheme);
      await page.getByRole('link', { name: 'Sync' }).click();
      await shot(page, 'empty-sync', scheme);
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByText('No audit lines yet').waitFor();
      await shot(page, 'empty-audit', scheme);
    }),
  team: (scheme) =>
    withUi(
      scheme,
      { phase: 'unlocked' },
      async (page) => {
        await page.getByRole('link', { name: 'Team' }).click();
        await page.getByRole('table').waitFor();
        await page.getByText('2 production paths').click();
        await shot(page, 'team', scheme);
        await page.getByRole('textbox', { name: 'Developer' }).fill('frank');
        await page.getByRole('textbox', { name: 'Project/environment 1' }).fill('payments/development');
        await page.getByRole('button', { name: '+ Add another' }).click();
        await page.getByRole('textbox', { name: 'Project/environment 2' }).fill('web/staging');
        await page.getByRole('textbox', { name: 'Expires after (optional)' }).fill('30d');
        await page.getByRole('checkbox', { name: /Create an invite/ }).check();
        await page.getByRole('button', { name: 'Preview' }).click();
        await page.getByRole('button', { name: 'Grant', exact: true }).waitFor();
        await shot(page, 'team-preview', scheme);
        await page.getByRole('button', { name: 'Grant', exact: true }).click();
        await page.getByText('Invite for frank').waitFor();
        await shot(page, 'team-invite', scheme);
        await page.getByRole('textbox', { name: 'Project/environment 1' }).fill('payments/production');
        await page.getByRole('button', { name: 'Preview' }).click();
        await page.getByText('Refused.').waitFor();
        await shot(page, 'team-refused', scheme);
        await page.getByRole('row', { name: /alice/ }).getByRole('button', { name: 'Revoke all' }).click();
        await page.getByRole('dialog').waitFor();
        await shot(page, 'team-revoke', scheme);
      },
      { width: 1100, height: 1300 },
    ),
  'team-empty': (scheme) =>
    withUi(scheme, { phase: 'unlocked', team: 'none' }, async (page) => {
      await page.getByRole('link', { name: 'Team' }).click();
      await page.getByText('No one has access through Latchkey yet.').waitFor();
      await shot(page, 'team-none', scheme);
    }),
  'team-no-store': (scheme) =>
    withUi(scheme, { phase: 'unlocked', stores: false }, async (page) => {
      await page.getByRole('link', { name: 'Team' }).click();
      await page.getByText('No team store yet').waitFor();
      await shot(page, 'team-no-store', scheme);
    }),
  'no-items': (scheme) =>
    withUi(scheme, { phase: 'unlocked', itemCount: 0 }, async (page) => {
      await page.getByText('No secrets yet').waitFor();
      await shot(page, 'empty-items', scheme);
    }),
};

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  for (const [name, view] of Object.entries(views)) {
    if (only.length > 0 && !only.includes(name)) continue;
    for (const scheme of ['light', 'dark'] as const) {
      process.stdout.write(`${name} (${scheme})\n`);
      await view(scheme);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

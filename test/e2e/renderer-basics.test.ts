// The built renderer in real Chromium, through the harness, against the development preview's fake
// backend: what the page itself promises (CSP-clean, uncontrolled password, store strings as text,
// a windowed list that keeps up with typing) regardless of what the real backend answers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { firstContentfulPaint, openUi, type OpenUi } from './harness';
import {
  FakeBackend,
  HOSTILE_IMG,
  HOSTILE_SCRIPT,
  PREVIEW_PASSWORD,
  type FakeOptions,
} from './preview/fake-backend';

async function withUi(
  options: FakeOptions,
  run: (ui: OpenUi, backend: FakeBackend) => Promise<void>,
): Promise<void> {
  const backend = new FakeBackend(options);
  const ui = await openUi(backend);
  try {
    await run(ui, backend);
  } finally {
    await ui.close();
  }
}

async function unlock(page: Page): Promise<void> {
  await page.getByRole('textbox', { name: 'Password' }).fill(PREVIEW_PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('searchbox', { name: 'Search secrets' }).waitFor();
}

/** Whether React manages the element's value (a controlled input) or a value attribute is set. */
function valueState(element: unknown): {
  attribute: string | null;
  reactValue: boolean;
  reactProps: boolean;
} {
  const input = element as { getAttribute(name: string): string | null } & Record<string, unknown>;
  const key = Object.keys(input).find((name) => name.startsWith('__reactProps$'));
  const props = key === undefined ? undefined : (input[key] as Record<string, unknown>);
  return {
    attribute: input.getAttribute('value'),
    reactValue: props !== undefined && ('value' in props || 'defaultValue' in props),
    reactProps: props !== undefined,
  };
}

void describe('the renderer bundle', () => {
  void test('renders the unlock view with no console error or CSP violation, and reports its first paint', async (t) => {
    await withUi({ phase: 'locked' }, async (ui, backend) => {
      const { page } = ui;
      await page.getByRole('button', { name: 'Unlock' }).waitFor();
      assert.ok(await page.getByRole('textbox', { name: 'Password' }).isVisible());
      await page.getByText('Locked after 15 minutes idle.').waitFor();
      const paint = await firstContentfulPaint(page);
      t.diagnostic(`first contentful paint of the unlock view: ${paint.toFixed(0)} ms`);
      // The budget is 300 ms on a quiet machine; the suite runs files two at a time, so allow slack.
      assert.ok(paint < 1000, `first contentful paint ${paint} ms`);
      assert.deepEqual(ui.errors, []);
      assert.ok(backend.calls.length > 0);
      for (const call of backend.calls) {
        assert.deepEqual(call.frame, { url: 'app://latchkey/index.html', isMainFrame: true });
      }
    });
  });

  void test('the harness enforces the app CSP and reports a violation', async () => {
    await withUi({ phase: 'locked' }, async (ui) => {
      await ui.page.getByRole('button', { name: 'Unlock' }).waitFor();
      await ui.page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: {
              createElement(tag: string): { textContent: string };
              head: { append(node: unknown): void };
            };
          }
        ).document;
        const style = doc.createElement('style');
        style.textContent = 'body { color: red }';
        doc.head.append(style);
      });
      await ui.page.waitForTimeout(100);
      assert.ok(
        ui.errors.some((error) => /CSP violation: style-src/.test(error)),
        `errors: ${ui.errors.join('; ')}`,
      );
    });
  });

  void test('the unlock password is read once from an uncontrolled input and cleared', async () => {
    await withUi({ phase: 'locked' }, async (ui, backend) => {
      const { page } = ui;
      const field = page.getByRole('textbox', { name: 'Password' });
      await field.fill('not the password');
      const state = await field.evaluate(valueState);
      assert.ok(state.reactProps, 'the field is rendered by React');
      assert.equal(state.attribute, null, 'no value attribute');
      assert.equal(state.reactValue, false, 'React holds no value or defaultValue for it');

      await page.getByRole('button', { name: 'Unlock' }).click();
      await page.getByRole('alert').getByText('That password does not open this vault').waitFor();
      assert.equal(await field.inputValue(), '', 'the field is cleared after the read');
      assert.deepEqual(
        backend.calls.filter((call) => call.method === 'unlock').map((call) => call.args),
        [['not the password']],
      );
      // The main process asked for a delay: the button waits it out.
      await page.getByText(/You can try again in \d+ s/).waitFor();
      assert.ok(await page.getByRole('button', { name: 'Unlock' }).isDisabled());
      await page.getByRole('button', { name: 'Unlock' }).waitFor({ state: 'visible' });
      await page.waitForFunction(
        () =>
          !(
            globalThis as unknown as { document: { querySelector(s: string): { disabled: boolean } | null } }
          ).document.querySelector('button[type=submit]')?.disabled,
        undefined,
        { timeout: 5000 },
      );
      await unlock(page);
      assert.deepEqual(ui.errors, []);
    });
  });

  void test('store strings with HTML and script render as inert text', async () => {
    await withUi({ phase: 'unlocked' }, async (ui) => {
      const { page } = ui;
      const search = page.getByRole('searchbox', { name: 'Search secrets' });
      await search.fill('zz-hostile');
      await page.getByRole('option', { name: `zz-hostile/development/${HOSTILE_IMG}` }).click();
      await page.getByRole('heading', { level: 2, name: HOSTILE_IMG }).waitFor();
      await page.getByText(`Description with ${HOSTILE_IMG} and ${HOSTILE_SCRIPT}`).waitFor();
      await page.getByRole('group', { name: 'api_key' }).getByRole('button', { name: 'Reveal' }).click();
      await page.getByText(`${HOSTILE_SCRIPT}${HOSTILE_IMG}`).waitFor();

      await page.getByRole('link', { name: 'Sync' }).click();
      await page.getByText(`custom_metadata environment=${HOSTILE_IMG} disagrees with the path`).waitFor();
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByText(`run (pid 1, ${HOSTILE_IMG})`).waitFor();

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
      assert.deepEqual(ui.errors, [], 'no dialog, error or CSP violation');
    });
  });

  void test('the keyboard drives the list: / focuses search, arrows move, Enter opens, Esc clears', async () => {
    await withUi({ phase: 'unlocked' }, async (ui) => {
      const { page } = ui;
      const search = page.getByRole('searchbox', { name: 'Search secrets' });
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('heading', { name: 'Audit' }).waitFor();
      await page.keyboard.press('/');
      await search.waitFor();
      assert.ok(
        await search.evaluate(
          (el) =>
            el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
        ),
      );
      await page.keyboard.type('billing staging stripe-eu');
      // Enter opens the highlighted row of the list on screen: wait until it shows the whole query.
      await page.getByText('1 of 10,000 match').waitFor();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'stripe-eu' }).waitFor();
      await page.getByText('lk://billing/staging/stripe-eu').waitFor();
      await page.keyboard.press('Escape');
      assert.equal(await search.inputValue(), '');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.getByRole('option', { selected: true }).count(), 1);
      assert.deepEqual(ui.errors, []);
    });
  });

  void test('10,000 items: the list is windowed and typing in search never blocks a frame for 50 ms', async (t) => {
    await withUi({ phase: 'unlocked' }, async (ui) => {
      const { page } = ui;
      await page.getByText('10,000 secrets in').waitFor();
      const options = await page.getByRole('option').count();
      assert.ok(options > 5 && options < 120, `${options} option rows in the DOM`);
      await page.evaluate(() => {
        const g = globalThis as unknown as {
          __longFrames: number[];
          PerformanceObserver: {
            new (cb: (list: { getEntries(): { duration: number }[] }) => void): {
              observe(options: { type: string; buffered: boolean }): void;
            };
            readonly supportedEntryTypes: readonly string[];
          };
        };
        // Chromium reports every animation frame that took longer than 50 ms.
        if (!g.PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
          throw new Error('this Chromium does not report long animation frames');
        }
        g.__longFrames = [];
        new g.PerformanceObserver((list) => {
          for (const entry of list.getEntries()) g.__longFrames.push(entry.duration);
        }).observe({ type: 'long-animation-frame', buffered: false });
      });
      const search = page.getByRole('searchbox', { name: 'Search secrets' });
      await search.pressSequentially('payments staging redis', { delay: 25 });
      await page.getByText(/^\d+ of 10,000 match$/).waitFor();
      await search.press('ArrowDown');
      await search.press('Enter');
      for (let i = 0; i < 12; i++) await search.press('Backspace', { delay: 15 });
      await page.waitForTimeout(300);
      const long = await page.evaluate(
        () => (globalThis as unknown as { __longFrames: number[] }).__longFrames,
      );
      t.diagnostic(
        `animation frames over 50 ms while typing: ${long.length ? long.map((d) => d.toFixed(0)).join(', ') : 'none'}`,
      );
      assert.deepEqual(long, []);
      assert.deepEqual(ui.errors, []);
    });
  });

  void test('Lock shows the unlock view at once, and so does a locked state pushed by main', async () => {
    await withUi({ phase: 'unlocked' }, async (ui, backend) => {
      const { page } = ui;
      await page.getByRole('button', { name: 'Lock' }).click();
      await page.getByRole('button', { name: 'Unlock' }).waitFor();
      await page.getByText('You locked the vault.').waitFor();
      await unlock(page);
      backend.emit('state', { ...backend.state, phase: 'locked', lastLockReason: 'screen-locked' });
      await page.getByText('Locked when the screen was locked.').waitFor();
      assert.deepEqual(ui.errors, []);
    });
  });
});

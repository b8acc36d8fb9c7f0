/** The app's pure pieces: unlock delay, value budget, auto-lock decisions, tray icon, CLI install. */
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { installCli } from '../../main/app/cli-install';
import { DEFAULT_APP_SETTINGS } from '../../main/app/desk/app-settings';
import { lockForIdlePoll, lockForPowerEvent } from '../../main/app/desk/auto-lock-policy';
import { CallBudget } from '../../main/app/desk/call-budget';
import { UnlockThrottle } from '../../main/app/desk/unlock-throttle';
import { trayIconBitmap, trayIconRows, TRAY_ICON_SIZE } from '../../main/app/tray-icon';
import { tempHome } from '../helpers/temp-home';

describe('unlock throttle', () => {
  test('three free attempts, then doubling blocks up to five minutes, reset by success', () => {
    let now = 1_000_000;
    const t = new UnlockThrottle(() => now);
    assert.deepEqual([t.failed(), t.failed(), t.failed()], [0, 0, 0]);
    assert.equal(t.waitMs(), 0);
    assert.equal(t.failed(), 5_000);
    assert.equal(t.waitMs(), 5_000);
    assert.equal(t.blockedUntil, now + 5_000);
    now += 5_000;
    assert.equal(t.waitMs(), 0);
    assert.equal(t.failed(), 10_000);
    for (let i = 0; i < 20; i++) t.failed();
    assert.equal(t.waitMs(), 5 * 60_000);
    t.succeeded();
    assert.equal(t.waitMs(), 0);
    assert.equal(t.failures, 0);
  });
});

describe('value call budget', () => {
  test('a sliding window', () => {
    let now = 0;
    const b = new CallBudget(3, 1000, () => now);
    assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
    now = 999;
    assert.equal(b.take(), false);
    now = 1000;
    assert.equal(b.take(), true);
  });
});

describe('auto-lock policy', () => {
  const on = DEFAULT_APP_SETTINGS;
  const off = { autoLockMinutes: 0, lockOnSleep: false };
  test('suspend and screen lock lock only when asked to', () => {
    assert.equal(lockForPowerEvent('suspend', on), 'suspend');
    assert.equal(lockForPowerEvent('lock-screen', on), 'screen-locked');
    assert.equal(lockForPowerEvent('suspend', off), undefined);
  });
  test('the idle poll: a locked screen, or the idle minutes reached', () => {
    assert.equal(lockForIdlePoll('locked', 0, on), 'screen-locked');
    assert.equal(lockForIdlePoll('idle', 15 * 60, on), 'idle');
    assert.equal(lockForIdlePoll('idle', 15 * 60 - 1, on), undefined);
    assert.equal(lockForIdlePoll('active', 0, on), undefined);
    assert.equal(lockForIdlePoll('locked', 10 ** 6, off), undefined);
  });
});

describe('tray icon', () => {
  test('locked and unlocked differ only in the shackle, and the bitmap is BGRA of the right size', () => {
    const locked = trayIconRows(true);
    const open = trayIconRows(false);
    assert.equal(locked.length, TRAY_ICON_SIZE);
    assert.ok(locked.every((r) => r.length === TRAY_ICON_SIZE));
    assert.ok(open.every((r) => r.length === TRAY_ICON_SIZE));
    assert.notDeepEqual(locked.slice(0, 7), open.slice(0, 7));
    assert.deepEqual(locked.slice(7), open.slice(7));
    const bitmap = trayIconBitmap(true, true);
    assert.equal(bitmap.length, TRAY_ICON_SIZE * TRAY_ICON_SIZE * 4);
    assert.ok(bitmap.some((b) => b === 0xff));
  });
});

describe('install command line tool', () => {
  test('links, is idempotent, replaces an old Latchkey link, and never replaces a foreign file', () => {
    const t = tempHome('latchkey-cli-install-');
    try {
      mkdirSync(t.dir, { recursive: true });
      const bin = join(t.dir, 'bin');
      const launcher = join(t.dir, 'Latchkey', 'resources', 'cli', 'latchkey');
      assert.equal(installCli(launcher, bin), 'installed');
      assert.equal(readlinkSync(join(bin, 'latchkey')), launcher);
      assert.equal(installCli(launcher, bin), 'already-installed');
      assert.equal(installCli(join(t.dir, 'latchkey-2', 'cli', 'latchkey'), bin), 'replaced-old-link');
      const other = join(t.dir, 'other-bin');
      mkdirSync(other);
      writeFileSync(join(other, 'latchkey'), '#!/bin/sh\necho mine\n');
      assert.throws(() => installCli(launcher, other), /UNSAFE_PATH|not a link Latchkey made/);
      assert.ok(lstatSync(join(other, 'latchkey')).isFile());
    } finally {
      t.cleanup();
    }
  });
});

/** The app's pure pieces: unlock delay, value budget, auto-lock decisions, tray icon, CLI install. */
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliInstallPlan, installCli, type CliInstallContext } from '../../main/app/cli-install';
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

describe('where the command line tool goes', () => {
  const base: CliInstallContext = {
    platform: 'linux',
    resourcesPath: '/opt/Latchkey/resources',
    checkoutLauncher: '/src/latchkey/bin/latchkey.js',
    home: '/home/dev',
    userData: '/home/dev/.config/Latchkey',
    version: '0.1.0',
    appImage: undefined,
    inApplicationsFolder: true,
  };
  test('a checkout links its own launcher; a deb links the shipped one', () => {
    assert.deepEqual(cliInstallPlan({ ...base, resourcesPath: undefined }), {
      kind: 'link',
      launcher: '/src/latchkey/bin/latchkey.js',
      binDir: '/home/dev/.local/bin',
    });
    assert.deepEqual(cliInstallPlan(base), {
      kind: 'link',
      launcher: '/opt/Latchkey/resources/cli/bin/latchkey.js',
      binDir: '/home/dev/.local/bin',
    });
  });
  test('an AppImage copies the CLI per version first; macOS refuses outside Applications; Windows gives a Path entry', () => {
    const image = cliInstallPlan({
      ...base,
      appImage: '/home/dev/Latchkey.AppImage',
      resourcesPath: '/tmp/.mount_x/resources',
    });
    assert.equal(image.kind, 'link');
    if (image.kind === 'link') {
      assert.equal(image.copyFrom, '/tmp/.mount_x/resources/cli');
      assert.equal(image.copyTo, '/home/dev/.config/Latchkey/cli/0.1.0');
      assert.equal(image.launcher, '/home/dev/.config/Latchkey/cli/0.1.0/bin/latchkey.js');
    }
    assert.equal(cliInstallPlan({ ...base, platform: 'darwin', inApplicationsFolder: false }).kind, 'refuse');
    assert.equal(cliInstallPlan({ ...base, platform: 'darwin' }).kind, 'link');
    assert.deepEqual(
      cliInstallPlan({ ...base, platform: 'win32', resourcesPath: 'C:/L/resources' }).kind,
      'add-to-path',
    );
  });
});

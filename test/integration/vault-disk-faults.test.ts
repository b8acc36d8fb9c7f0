import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli';

const PW = 'disk fault passphrase';
const isRoot = process.getuid?.() === 0;

/** A small tmpfs we can fill up or make read-only (needs root, as CI has). */
describe('disk faults leave the vault as it was', { skip: !isRoot && 'mounting a tmpfs needs root' }, () => {
  const mnt = mkdtempSync(join(tmpdir(), 'latchkey-tmpfs-'));
  const home = join(mnt, 'home');
  before(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt]);
    mkdirSync(home, { mode: 0o700 });
    const r = await runCli(['init', '--password-stdin', '--kdf-target-ms', '1'], { home, input: `${PW}\n` });
    assert.equal(r.status, 0, r.stderr);
    const s = await runCli(['set', 'lk://disk/development/a/b', '--password-stdin'], {
      home,
      input: `${PW}\nbefore\n`,
    });
    assert.equal(s.status, 0, s.stderr);
  });
  after(() => {
    try {
      execFileSync('umount', ['-l', mnt]);
    } finally {
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  test('a full disk (ENOSPC) fails with STORAGE_FAILED and the old vault still opens', async () => {
    const before = readFileSync(join(home, 'vault.lkv'));
    // Fill the file system, leaving less than a vault's worth of space.
    const filler = join(mnt, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(512 * 1024));
    } catch {
      /* ENOSPC once full: that is the point */
    }
    const r = await runCli(['set', 'lk://disk/development/a/b', '--password-stdin'], {
      home,
      input: `${PW}\n${'x'.repeat(60_000)}\n`,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^latchkey: STORAGE_FAILED: .*disk is full.*not changed/);
    assert.ok(readFileSync(join(home, 'vault.lkv')).equals(before));
    rmSync(filler);
    const g = await runCli(['get', 'lk://disk/development/a/b', '--password-stdin'], {
      home,
      input: `${PW}\n`,
    });
    assert.equal(g.stdout.toString(), 'before');
  });

  test('a read-only file system fails changes with STORAGE_FAILED, and reads fail closed (no audit line, no value)', async () => {
    const before = readFileSync(join(home, 'vault.lkv'));
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      const r = await runCli(['set', 'lk://disk/development/a/b', '--password-stdin'], { home, input: `${PW}\nafter\n` });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^latchkey: STORAGE_FAILED: .*read-only/);
      const g = await runCli(['get', 'lk://disk/development/a/b', '--password-stdin'], { home, input: `${PW}\n` });
      assert.equal(g.status, 1);
      assert.match(g.stderr, /^latchkey: AUDIT_FAILED: /);
      assert.equal(g.stdout.length, 0);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
    assert.ok(readFileSync(join(home, 'vault.lkv')).equals(before));
    const g = await runCli(['get', 'lk://disk/development/a/b', '--password-stdin'], { home, input: `${PW}\n` });
    assert.equal(g.stdout.toString(), 'before');
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { AuditLog, readAudit, verifyAudit } from '../../main/core/audit';
import { tempHome } from '../helpers/temp-home';

const AUDIT_MODULE = resolve(__dirname, '..', '..', 'main', 'core', 'audit');

/** A child that opens the log and appends `count` reads as soon as the clock passes `startAt`. */
const APPENDER = `
const [modulePath, dir, keyHex, count, startAt] = process.argv.slice(1);
const { AuditLog } = require(modulePath);
const log = AuditLog.open(dir, Buffer.from(keyHex, 'hex'), { who: { via: 'run', pid: process.pid } });
while (Date.now() < Number(startAt)) {}
for (let i = 0; i < Number(count); i++) {
  log.append({ op: 'read', who: { via: 'run', pid: process.pid }, ref: 'lk://payments/development/db/f' + i, result: 'ok' });
}
log.close();
`;

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => r(code));
  });
}

describe('the audit log shared by several processes', () => {
  let t: ReturnType<typeof tempHome>;
  let key: Buffer;

  beforeEach(() => {
    t = tempHome('latchkey-audit-procs-');
    key = randomBytes(32);
  });
  afterEach(() => t.cleanup());

  test('processes appending at the same moment never fork the chain', async () => {
    const startAt = Date.now() + 700;
    const children = [0, 1, 2].map(() =>
      spawn(
        process.execPath,
        ['-e', APPENDER, AUDIT_MODULE, t.dir, key.toString('hex'), '1500', String(startAt)],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      ),
    );
    assert.deepEqual(await Promise.all(children.map(exited)), [0, 0, 0]);
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 4500 });
    const pids = new Set(readAudit(t.dir).map((e) => e.who.pid));
    assert.equal(pids.size, 3);
  });

  test('a lock left behind by a killed process is taken over after a second', () => {
    AuditLog.open(t.dir, key).close();
    linkSync(join(t.dir, 'audit.lock'), join(t.dir, 'audit.lock.held'));
    const log = AuditLog.open(t.dir, key);
    assert.equal(log.append({ op: 'lock', who: { via: 'cli' }, result: 'ok' }).seq, 1);
    log.close();
  });

  test('a lock another live process keeps holding makes append fail closed with AUDIT_FAILED', async () => {
    const log = AuditLog.open(t.dir, key);
    const lock = join(t.dir, 'audit.lock');
    closeSync(openSync(lock, 'a'));
    linkSync(lock, join(t.dir, 'audit.lock.held'));
    // A holder that is alive and busy: the lock inode keeps changing, so it is never stale.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); setInterval(() => fs.chmodSync(${JSON.stringify(lock)}, 0o600), 50); setTimeout(() => {}, 20000);`,
      ],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 200));
      assert.throws(() => log.append({ op: 'read', who: { via: 'cli' }, result: 'ok' }), {
        code: 'AUDIT_FAILED',
      });
      assert.equal(log.head().seq, 0);
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
      log.close();
    }
  });
});

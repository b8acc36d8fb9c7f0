import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  AuditLog,
  PENDING_MAX_BYTES,
  readAudit,
  recordPending,
  verifyAudit,
  type AuditEvent,
} from '../../main/core/audit';
import { tempHome } from '../helpers/temp-home';

const POSIX = process.platform !== 'win32';

function failedUnlock(pid: number): AuditEvent {
  return {
    op: 'unlock-failed',
    who: { via: 'cli', pid, tty: '/dev/pts/3', cwd: '/home/dev/payments' },
    result: 'denied',
    reason: 'WRONG_PASSWORD',
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('events recorded without the key', () => {
  let t: ReturnType<typeof tempHome>;
  let key: Buffer;
  let pendingPath: string;

  beforeEach(() => {
    t = tempHome('latchkey-audit-pending-');
    key = randomBytes(32);
    pendingPath = join(t.dir, 'audit.pending');
  });
  afterEach(() => t.cleanup());

  test('are folded into the chain at the next open, in order, with their own time and "pending": true', () => {
    const first = AuditLog.open(t.dir, key);
    first.append({ op: 'lock', who: { via: 'cli' }, result: 'ok' });
    first.close();
    const times = [new Date('2030-01-02T03:04:05.006Z'), new Date('2030-01-02T03:04:06.007Z')];
    assert.equal(recordPending(t.dir, failedUnlock(11), times[0]), 'recorded');
    assert.equal(recordPending(t.dir, failedUnlock(12), times[1]), 'recorded');
    const log = AuditLog.open(t.dir, key);
    log.append({ op: 'unlock', who: { via: 'cli', pid: 13 }, result: 'ok' });
    log.close();
    const entries = readAudit(t.dir);
    assert.deepEqual(
      entries.map((e) => [e.seq, e.op, e.who.pid, e.pending, e.time]),
      [
        [1, 'lock', undefined, undefined, entries[0]!.time],
        [2, 'unlock-failed', 11, true, '2030-01-02T03:04:05.006Z'],
        [3, 'unlock-failed', 12, true, '2030-01-02T03:04:06.007Z'],
        [4, 'unlock', 13, undefined, entries[3]!.time],
      ],
    );
    assert.equal(entries[1]!.reason, 'WRONG_PASSWORD');
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 4 });
  });

  test('audit.pending is emptied by the fold, so the next open folds nothing twice', () => {
    recordPending(t.dir, failedUnlock(1));
    AuditLog.open(t.dir, key).close();
    assert.equal(statSync(pendingPath).size, 0);
    AuditLog.open(t.dir, key).close();
    assert.equal(readAudit(t.dir).length, 1);
  });

  test('audit.pending is created with mode 0600', { skip: !POSIX }, () => {
    recordPending(t.dir, failedUnlock(1));
    assert.equal(statSync(pendingPath).mode & 0o777, 0o600);
  });

  test('hammering wrong passwords cannot grow audit.pending past 1 MiB; one overflow line says events were dropped', () => {
    let recorded = 0;
    let dropped = 0;
    for (let i = 0; i < 8000; i++) {
      if (recordPending(t.dir, failedUnlock(i)) === 'recorded') recorded++;
      else dropped++;
    }
    const size = statSync(pendingPath).size;
    assert.ok(size < PENDING_MAX_BYTES, `audit.pending is ${size} bytes`);
    assert.ok(recorded > 1000 && dropped > 1000, `${recorded} recorded, ${dropped} dropped`);
    const text = readFileSync(pendingPath, 'utf8');
    assert.equal(text.split('"op":"pending-overflow"').length - 1, 1);

    AuditLog.open(t.dir, key).close();
    const entries = readAudit(t.dir);
    assert.equal(entries.length, recorded + 1);
    assert.equal(entries.at(-1)?.op, 'pending-overflow');
    assert.equal(entries.filter((e) => e.op === 'pending-overflow').length, 1);
    // After the fold there is room again.
    assert.equal(recordPending(t.dir, failedUnlock(1)), 'recorded');
  });

  test('a pending file grown past the bound by something else is folded only up to the bound, with an overflow line', () => {
    const line = `${JSON.stringify({ time: '2030-01-01T00:00:00.000Z', op: 'unlock-failed', who: { via: 'cli' }, result: 'denied' })}\n`;
    writeFileSync(pendingPath, line.repeat(Math.ceil((2 * PENDING_MAX_BYTES) / line.length)), {
      mode: 0o600,
    });
    AuditLog.open(t.dir, key).close();
    const entries = readAudit(t.dir);
    assert.ok(entries.length <= PENDING_MAX_BYTES / line.length + 2);
    assert.equal(entries.at(-1)?.op, 'pending-overflow');
    assert.equal(entries.at(-1)?.pending, undefined);
  });

  test('malformed pending lines are folded as one pending-malformed event, the good ones kept', () => {
    recordPending(t.dir, failedUnlock(1));
    appendFileSync(pendingPath, 'junk\n{"time":"x"}\n');
    recordPending(t.dir, failedUnlock(2));
    const log = AuditLog.open(t.dir, key, { who: { via: 'gui', pid: 77 } });
    log.close();
    const entries = readAudit(t.dir);
    assert.deepEqual(
      entries.map((e) => [e.op, e.who.pid]),
      [
        ['unlock-failed', 1],
        ['unlock-failed', 2],
        ['pending-malformed', 77],
      ],
    );
  });

  test('a symlinked audit.pending is refused by recordPending and by open', { skip: !POSIX }, () => {
    const target = join(t.dir, 'elsewhere');
    writeFileSync(target, '', { mode: 0o600 });
    symlinkSync(target, pendingPath);
    assert.equal(
      codeOf(() => recordPending(t.dir, failedUnlock(1))),
      'UNSAFE_PATH',
    );
    assert.equal(
      codeOf(() => AuditLog.open(t.dir, key)),
      'UNSAFE_PATH',
    );
    assert.equal(readFileSync(target, 'utf8'), '');
  });

  test('recordPending rejects an event with a value key', () => {
    const event = { ...failedUnlock(1), value: 'hunter2' } as AuditEvent;
    assert.equal(
      codeOf(() => recordPending(t.dir, event)),
      'AUDIT_FAILED',
    );
  });
});

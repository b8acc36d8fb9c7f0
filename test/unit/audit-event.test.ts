import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { AuditLog, readAudit, validateEvent, type AuditEvent } from '../../main/core/audit';
import { tempHome } from '../helpers/temp-home';

const CANARY = 'sk_test_CANARY_5f2b9c1e_never_in_a_log';

function rejection(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  assert.fail('expected the event to be rejected');
}

describe('audit events', () => {
  let t: ReturnType<typeof tempHome>;
  let log: AuditLog;

  beforeEach(() => {
    t = tempHome('latchkey-audit-event-');
    log = AuditLog.open(t.dir, randomBytes(32));
  });
  afterEach(() => {
    log.close();
    t.cleanup();
  });

  test('the event type has no field that could hold a value', () => {
    type Keys = keyof AuditEvent;
    const noValue: 'value' extends Keys ? false : true = true;
    const noSecret: 'secret' extends Keys ? false : true = true;
    assert.ok(noValue && noSecret);
    // @ts-expect-error -- an event literal with a value does not compile
    const typed: AuditEvent = { op: 'read', who: { via: 'cli' }, result: 'ok', value: CANARY };
    assert.equal(rejection(() => log.append(typed)).code, 'AUDIT_FAILED');
  });

  test('an event with a value key is rejected with AUDIT_FAILED, nothing is written and the value is not repeated', () => {
    const withValue = {
      op: 'read',
      who: { via: 'cli' },
      ref: 'lk://p/development/i/f',
      result: 'ok',
      value: CANARY,
    };
    const error = rejection(() => log.append(withValue as AuditEvent));
    assert.equal(error.code, 'AUDIT_FAILED');
    assert.match(error.message, /'value'/);
    assert.doesNotMatch(error.message, /CANARY/);
    assert.equal(log.head().seq, 0);
    const file = join(t.dir, 'audit.log');
    assert.ok(!existsSync(file) || !readFileSync(file, 'utf8').includes(CANARY));
  });

  test('any unknown key is rejected, in the event or in who', () => {
    for (const event of [
      { op: 'read', who: { via: 'cli' }, result: 'ok', secret: 'x' },
      { op: 'read', who: { via: 'cli' }, result: 'ok', note: 'x' },
      { op: 'read', who: { via: 'cli', env: CANARY }, result: 'ok' },
    ]) {
      const error = rejection(() => validateEvent(event));
      assert.equal(error.code, 'AUDIT_FAILED');
      assert.doesNotMatch(error.message, /CANARY/);
    }
  });

  test('an event that is not a plain object is rejected', () => {
    class Sneaky {
      op = 'read';
      who = { via: 'cli' };
      result = 'ok';
    }
    for (const event of [
      null,
      [],
      'read',
      new Sneaky(),
      Object.assign(Object.create({ value: CANARY }) as object, {}),
    ]) {
      assert.equal(rejection(() => validateEvent(event)).code, 'AUDIT_FAILED');
    }
  });

  test('an unknown op, via or result is rejected', () => {
    for (const event of [
      { op: 'dump', who: { via: 'cli' }, result: 'ok' },
      { op: 'pending-overflow', who: { via: 'cli' }, result: 'error' },
      { op: 'read', who: { via: 'browser' }, result: 'ok' },
      { op: 'read', who: { via: 'cli' }, result: 'maybe' },
    ]) {
      assert.equal(rejection(() => validateEvent(event)).code, 'AUDIT_FAILED');
    }
  });

  test('control and direction-override characters are stripped from ref, exe, cwd and tty', () => {
    const clean = validateEvent({
      op: 'read',
      who: { via: 'run', exe: '/bin/\u001b[31mevil', cwd: '/home/\u202edev\u0000', tty: '/dev/pts/1\r\n' },
      ref: 'lk://p/development/i/f\u0007',
      result: 'ok',
    });
    assert.deepEqual(clean, {
      op: 'read',
      who: { via: 'run', exe: '/bin/[31mevil', cwd: '/home/dev', tty: '/dev/pts/1' },
      ref: 'lk://p/development/i/f',
      result: 'ok',
    });
    log.append(clean);
    assert.equal(readAudit(t.dir)[0]?.who.exe, '/bin/[31mevil');
  });

  test('a ref over 300 characters is rejected; exe and cwd may be 4096 but not more', () => {
    const who = { via: 'cli' as const };
    assert.equal(
      rejection(() => validateEvent({ op: 'read', who, result: 'ok', ref: 'r'.repeat(301) })).code,
      'AUDIT_FAILED',
    );
    assert.doesNotThrow(() => validateEvent({ op: 'read', who, result: 'ok', ref: 'r'.repeat(300) }));
    assert.doesNotThrow(() =>
      validateEvent({ op: 'read', who: { via: 'cli', cwd: 'c'.repeat(4096) }, result: 'ok' }),
    );
    assert.equal(
      rejection(() => validateEvent({ op: 'read', who: { via: 'cli', exe: 'e'.repeat(4097) }, result: 'ok' }))
        .code,
      'AUDIT_FAILED',
    );
  });

  test('pid, uid and version must be whole numbers; reason must be an error code or rule id', () => {
    const who = { via: 'cli' as const };
    for (const event of [
      { op: 'read', who: { via: 'cli', pid: -1 }, result: 'ok' },
      { op: 'read', who: { via: 'cli', uid: 1.5 }, result: 'ok' },
      { op: 'read', who, result: 'ok', version: '3' },
      { op: 'read', who, result: 'refused', reason: 'has spaces' },
      { op: 'read', who, result: 'refused', reason: CANARY.repeat(5) },
    ]) {
      assert.equal(rejection(() => validateEvent(event)).code, 'AUDIT_FAILED');
    }
    assert.doesNotThrow(() =>
      validateEvent({ op: 'refusal', who, result: 'refused', reason: 'stripe-live-secret-key' }),
    );
  });
});

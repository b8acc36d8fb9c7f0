import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog, readAudit } from '../../main/core/audit';
import { tempHome } from '../helpers/temp-home';

describe('reading the audit log for `latchkey audit`', () => {
  const t = tempHome('latchkey-audit-read-');
  const clock = { now: new Date('2030-05-01T10:00:00.000Z') };

  before(() => {
    const log = AuditLog.open(t.dir, randomBytes(32), { now: () => clock.now });
    const refs = [
      'lk://payments/development/stripe/secret_key',
      'lk://payments/staging/db/url',
      'lk://payments/development/db/url',
      'lk://search/development/es/password',
    ];
    for (const [i, ref] of refs.entries()) {
      clock.now = new Date(Date.UTC(2030, 4, 1, 10, i));
      log.append({ op: 'read', who: { via: 'run' }, ref, result: 'ok' });
    }
    clock.now = new Date(Date.UTC(2030, 4, 1, 11));
    log.append({
      op: 'set',
      who: { via: 'cli' },
      ref: 'lk://payments/development/stripe/secret_key',
      result: 'ok',
    });
    log.close();
    appendFileSync(join(t.dir, 'audit.log'), 'not an audit line\n');
  });
  after(() => t.cleanup());

  test('with no filter, every parsable entry comes back oldest first', () => {
    assert.deepEqual(
      readAudit(t.dir).map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
  });

  test('op selects one kind of event', () => {
    assert.deepEqual(
      readAudit(t.dir, { op: 'set' }).map((e) => e.seq),
      [5],
    );
  });

  test('ref selects a ref and everything under it, with or without lk://', () => {
    assert.deepEqual(
      readAudit(t.dir, { ref: 'lk://payments/development' }).map((e) => e.seq),
      [1, 3, 5],
    );
    assert.deepEqual(
      readAudit(t.dir, { ref: 'payments/development/stripe/secret_key' }).map((e) => e.seq),
      [1, 5],
    );
    assert.deepEqual(readAudit(t.dir, { ref: 'lk://payments/dev' }), []);
  });

  test('since keeps events at or after a time; limit keeps the most recent', () => {
    assert.deepEqual(
      readAudit(t.dir, { since: new Date('2030-05-01T10:02:00.000Z') }).map((e) => e.seq),
      [3, 4, 5],
    );
    assert.deepEqual(
      readAudit(t.dir, { limit: 2 }).map((e) => e.seq),
      [4, 5],
    );
    assert.deepEqual(
      readAudit(t.dir, { ref: 'lk://payments', limit: 1 }).map((e) => e.seq),
      [5],
    );
  });

  test('a limit that is not a positive whole number is a usage error', () => {
    assert.throws(() => readAudit(t.dir, { limit: 0 }), { code: 'USAGE' });
  });

  test('a data directory without a log reads as empty', () => {
    const empty = tempHome('latchkey-audit-read-empty-');
    try {
      assert.deepEqual(readAudit(empty.dir), []);
    } finally {
      empty.cleanup();
    }
  });
});

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { AuditLog, readAudit, verifyAudit, type AuditEvent } from '../../main/core/audit';
import { tempHome } from '../helpers/temp-home';

const POSIX = process.platform !== 'win32';

function read(i: number): AuditEvent {
  return {
    op: 'read',
    who: { via: 'cli', pid: 1000 + i, exe: '/usr/bin/node', cwd: '/home/dev/payments' },
    ref: `lk://payments/development/stripe/key${i}`,
    version: i,
    result: 'ok',
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

describe('the audit log', () => {
  let t: ReturnType<typeof tempHome>;
  let key: Buffer;
  let logPath: string;
  const lines = (): string[] => readFileSync(logPath, 'utf8').split('\n').slice(0, -1);

  beforeEach(() => {
    t = tempHome('latchkey-audit-');
    key = randomBytes(32);
    logPath = join(t.dir, 'audit.log');
  });
  afterEach(() => t.cleanup());

  test('appended events read back in order with seq from 1, a UTC time and exactly the fields given', () => {
    const log = AuditLog.open(t.dir, key);
    const before = Date.now();
    for (let i = 1; i <= 3; i++) assert.equal(log.append(read(i)).seq, i);
    log.append({ op: 'refusal', who: { via: 'agent' }, result: 'refused', reason: 'PRODUCTION_REFUSED' });
    log.close();
    const entries = readAudit(t.dir);
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3, 4],
    );
    const first = entries[0]!;
    assert.match(first.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Date.parse(first.time) >= before - 1000);
    const { seq: _s, time: _t, prev: _p, mac: _m, ...content } = first;
    assert.deepEqual(content, read(1));
    const last = entries[3]!;
    assert.equal(last.reason, 'PRODUCTION_REFUSED');
    assert.equal('ref' in last, false);
  });

  test('each line is its canonical form: keys in a fixed order, absent optional keys not written', () => {
    const log = AuditLog.open(t.dir, key);
    log.append(read(1));
    log.append({ op: 'lock', who: { via: 'gui' }, result: 'ok' });
    log.close();
    const [full, bare] = lines();
    assert.match(
      full!,
      /^\{"seq":1,"time":"[^"]+","op":"read","who":\{"via":"cli","pid":1001,"exe":"\/usr\/bin\/node","cwd":"\/home\/dev\/payments"\},"ref":"lk:\/\/payments\/development\/stripe\/key1","version":1,"result":"ok","prev":"[0-9a-f]{64}","mac":"[0-9a-f]{64}"\}$/,
    );
    assert.match(
      bare!,
      /^\{"seq":2,"time":"[^"]+","op":"lock","who":\{"via":"gui"\},"result":"ok","prev":"[0-9a-f]{64}","mac":"[0-9a-f]{64}"\}$/,
    );
  });

  test('the mac of each line is HMAC-SHA-256(key, prev || the line without its mac), prev chaining from the genesis value', () => {
    const log = AuditLog.open(t.dir, key);
    for (let i = 1; i <= 3; i++) log.append(read(i));
    log.close();
    let prev = createHmac('sha256', key).update('latchkey audit genesis').digest('hex');
    for (const line of lines()) {
      const { mac, ...rest } = JSON.parse(line) as { mac: string; prev: string };
      assert.equal(rest.prev, prev);
      const body = line.replace(`,"mac":"${mac}"}`, '}');
      assert.equal(body, JSON.stringify(rest));
      assert.equal(mac, createHmac('sha256', key).update(prev).update(body).digest('hex'));
      prev = mac;
    }
  });

  test('reopening continues the chain where it ended', () => {
    const a = AuditLog.open(t.dir, key);
    a.append(read(1));
    const head = a.append(read(2));
    a.close();
    const b = AuditLog.open(t.dir, key);
    assert.deepEqual(b.head(), head);
    assert.equal(b.append(read(3)).seq, 3);
    b.close();
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 3 });
  });

  test('audit.log is created with mode 0600', { skip: !POSIX }, () => {
    AuditLog.open(t.dir, key).close();
    assert.equal(statSync(logPath).mode & 0o777, 0o600);
  });

  test('a symlinked audit.log is refused and the link target is left untouched', { skip: !POSIX }, () => {
    const target = join(t.dir, 'elsewhere');
    writeFileSync(target, 'precious\n', { mode: 0o600 });
    symlinkSync(target, logPath);
    assert.equal(
      codeOf(() => AuditLog.open(t.dir, key)),
      'UNSAFE_PATH',
    );
    assert.equal(readFileSync(target, 'utf8'), 'precious\n');
  });

  test('an audit.log that other users can read is refused', { skip: !POSIX }, () => {
    AuditLog.open(t.dir, key).close();
    chmodSync(logPath, 0o644);
    assert.equal(
      codeOf(() => AuditLog.open(t.dir, key)),
      'UNSAFE_PATH',
    );
  });

  test('an audit.log owned by another user is refused', { skip: !POSIX || process.getuid?.() !== 0 }, () => {
    AuditLog.open(t.dir, key).close();
    chownSync(logPath, 4242, 4242);
    assert.equal(
      codeOf(() => AuditLog.open(t.dir, key)),
      'UNSAFE_PATH',
    );
  });

  test('appendAll writes a batch in one write, in order, chained like single appends', () => {
    let writes = 0;
    const log = AuditLog.open(t.dir, key, {
      write: (fd, bytes) => {
        writes++;
        return writeSync(fd, bytes);
      },
    });
    log.append(read(1));
    writes = 0;
    assert.equal(log.appendAll([read(2), read(3), read(4)]).seq, 4);
    assert.equal(writes, 1);
    assert.equal(log.appendAll([]).seq, 4);
    assert.equal(writes, 1);
    log.close();
    assert.deepEqual(
      readAudit(t.dir).map((e) => [e.seq, e.ref]),
      [1, 2, 3, 4].map((i) => [i, read(i).ref]),
    );
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 4 });
  });

  test('appendAll checks every event first: one bad event writes none of the batch', () => {
    const log = AuditLog.open(t.dir, key);
    const head = log.append(read(1));
    const bad = { ...read(3), value: 'CANARY-batch-7' } as unknown as AuditEvent;
    assert.notEqual(
      codeOf(() => log.appendAll([read(2), bad])),
      'OK',
    );
    assert.deepEqual(log.head(), head);
    log.close();
    assert.equal(lines().length, 1);
    assert.ok(!readFileSync(logPath, 'utf8').includes('CANARY-batch-7'));
  });

  test('a failing write throws AUDIT_FAILED, so the caller refuses the read, and the head does not move', () => {
    let fail = false;
    const log = AuditLog.open(t.dir, key, {
      write: (fd, bytes) => {
        if (fail) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return writeSync(fd, bytes);
      },
    });
    const head = log.append(read(1));
    fail = true;
    assert.throws(
      () => log.append(read(2)),
      (e: { code?: string; message?: string }) =>
        e.code === 'AUDIT_FAILED' && /disk is full/.test(e.message ?? ''),
    );
    assert.deepEqual(log.head(), head);
    fail = false;
    assert.equal(log.append(read(3)).seq, 2);
    log.close();
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 2 });
  });

  test('a short write throws AUDIT_FAILED; the log continues from the last whole line and verification shows the damage', () => {
    let short = false;
    const log = AuditLog.open(t.dir, key, {
      write: (fd, bytes) => (short ? writeSync(fd, bytes, 0, 40) : writeSync(fd, bytes)),
    });
    log.append(read(1));
    short = true;
    assert.equal(
      codeOf(() => log.append(read(2))),
      'AUDIT_FAILED',
    );
    short = false;
    assert.equal(log.append(read(3)).seq, 2);
    log.close();
    const report = verifyAudit(t.dir, key);
    assert.equal(report.firstProblem?.kind, 'malformed');
    assert.equal(report.firstProblem?.line, 2);
    assert.equal(report.lines, 3);
    assert.deepEqual(
      readAudit(t.dir).map((e) => [e.seq, e.version]),
      [
        [1, 1],
        [2, 3],
      ],
    );
  });

  test('appending after close throws AUDIT_FAILED', () => {
    const log = AuditLog.open(t.dir, key);
    log.close();
    assert.equal(
      codeOf(() => log.append(read(1))),
      'AUDIT_FAILED',
    );
  });

  test('two writers on one directory take turns: each chains from the line the other wrote', () => {
    const a = AuditLog.open(t.dir, key);
    const b = AuditLog.open(t.dir, key);
    for (let i = 1; i <= 50; i++) (i % 3 === 0 ? b : a).append(read(i));
    a.close();
    b.close();
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 50 });
  });

  test('when audit.log is deleted while open, the next append starts a new file instead of writing into the void', () => {
    const log = AuditLog.open(t.dir, key);
    log.append(read(1));
    log.append(read(2));
    unlinkSync(logPath);
    assert.equal(log.append(read(3)).seq, 1);
    log.close();
    assert.equal(lines().length, 1);
  });

  test('damage at the end is kept, not erased: the chain continues from the last authentic line', () => {
    const log = AuditLog.open(t.dir, key);
    log.append(read(1));
    log.close();
    appendFileSync(logPath, 'garbage without a newline');
    const again = AuditLog.open(t.dir, key);
    assert.equal(again.append(read(2)).seq, 2);
    again.close();
    assert.equal(lines()[1], 'garbage without a newline');
    const report = verifyAudit(t.dir, key);
    assert.equal(report.firstProblem?.kind, 'malformed');
    assert.equal(report.firstProblem?.line, 2);
  });

  test('the log of another vault (another key) is refused at open with AUDIT_TAMPERED', () => {
    const log = AuditLog.open(t.dir, key);
    log.append(read(1));
    log.close();
    assert.equal(
      codeOf(() => AuditLog.open(t.dir, randomBytes(32))),
      'AUDIT_TAMPERED',
    );
  });

  test('a missing data directory is AUDIT_FAILED, not a crash', () => {
    assert.equal(
      codeOf(() => AuditLog.open(join(t.dir, 'nope'), key)),
      'AUDIT_FAILED',
    );
  });

  test('10,000 appends go through and the result verifies', () => {
    const log = AuditLog.open(t.dir, key);
    for (let i = 1; i <= 10_000; i++) log.append(read(i));
    assert.equal(log.head().seq, 10_000);
    log.close();
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 10_000 });
  });
});

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { AuditLog, verifyAudit, type AuditHead, type AuditProblemKind } from '../../main/core/audit';
import { tempHome } from '../helpers/temp-home';

function writeEvents(dir: string, key: Buffer, n: number): AuditHead {
  const log = AuditLog.open(dir, key);
  for (let i = 1; i <= n; i++) {
    log.append({
      op: 'read',
      who: { via: 'cli', pid: 4000 + i },
      ref: `lk://payments/development/db/f${i}`,
      result: 'ok',
    });
  }
  const head = log.head();
  log.close();
  return head;
}

describe('audit verification', () => {
  let t: ReturnType<typeof tempHome>;
  let key: Buffer;
  let path: string;
  let anchor: AuditHead;
  const lines = (): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);
  const rewrite = (ls: readonly string[]): void => writeFileSync(path, ls.map((l) => `${l}\n`).join(''));
  const problem = (withAnchor = false): { line: number; seq: number; kind: AuditProblemKind } | undefined => {
    const report = verifyAudit(t.dir, key, withAnchor ? anchor : undefined);
    assert.equal(report.ok, report.firstProblem === undefined);
    if (report.firstProblem === undefined) return undefined;
    assert.doesNotMatch(report.firstProblem.message, /payments\/development/); // never quotes content
    const { line, seq, kind } = report.firstProblem;
    return { line, seq, kind };
  };

  beforeEach(() => {
    t = tempHome('latchkey-audit-verify-');
    key = randomBytes(32);
    path = join(t.dir, 'audit.log');
    anchor = writeEvents(t.dir, key, 10);
  });
  afterEach(() => t.cleanup());

  test('an untouched log verifies, with and without its anchor', () => {
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 10 });
    assert.deepEqual(verifyAudit(t.dir, key, anchor), { ok: true, lines: 10 });
  });

  test('a log that grew past its anchor verifies', () => {
    writeEvents(t.dir, key, 3);
    assert.deepEqual(verifyAudit(t.dir, key, anchor), { ok: true, lines: 13 });
  });

  test('changing "ok" to "denied" in a middle line is reported as an edit of that line', () => {
    const ls = lines();
    ls[4] = ls[4]!.replace('"result":"ok"', '"result":"denied"');
    rewrite(ls);
    assert.deepEqual(problem(), { line: 5, seq: 5, kind: 'edited' });
  });

  test('an edit whose mac is recomputed without the key (a plain SHA-256) is still an edit', () => {
    const ls = lines();
    const edited = ls[4]!.replace('"pid":4005', '"pid":1');
    const mac = (JSON.parse(edited) as { mac: string }).mac;
    const body = edited.replace(`,"mac":"${mac}"}`, '}');
    ls[4] = edited.replace(mac, createHash('sha256').update(body).digest('hex'));
    rewrite(ls);
    assert.deepEqual(problem(), { line: 5, seq: 5, kind: 'edited' });
  });

  test('deleting a middle line is reported as a deletion at the line after the gap', () => {
    const ls = lines();
    ls.splice(4, 1);
    rewrite(ls);
    assert.deepEqual(problem(), { line: 5, seq: 6, kind: 'deleted' });
  });

  test('deleting several lines, or the first one, is reported as a deletion', () => {
    const ls = lines();
    rewrite([...ls.slice(0, 3), ...ls.slice(6)]);
    assert.deepEqual(problem(), { line: 4, seq: 7, kind: 'deleted' });
    assert.match(
      verifyAudit(t.dir, key).firstProblem!.message,
      /seq 4 to 6 are missing.*3 lines were deleted/,
    );
    rewrite(ls.slice(1));
    assert.deepEqual(problem(), { line: 1, seq: 2, kind: 'deleted' });
  });

  test('swapping two lines is reported as reordering', () => {
    const ls = lines();
    [ls[3], ls[4]] = [ls[4]!, ls[3]!];
    rewrite(ls);
    assert.deepEqual(problem(), { line: 4, seq: 5, kind: 'reordered' });
  });

  test('moving a line further down is reordering, not deletion', () => {
    const ls = lines();
    const [moved] = ls.splice(2, 1);
    ls.splice(7, 0, moved!);
    rewrite(ls);
    assert.deepEqual(problem(), { line: 3, seq: 4, kind: 'reordered' });
  });

  test('repeating a line is reported as reordering', () => {
    const ls = lines();
    ls.splice(6, 0, ls[2]!);
    rewrite(ls);
    assert.deepEqual(problem(), { line: 7, seq: 3, kind: 'reordered' });
  });

  test('cutting off the last lines is reported as truncation against the vault anchor', () => {
    rewrite(lines().slice(0, 7));
    assert.deepEqual(problem(true), { line: 8, seq: 8, kind: 'truncated' });
  });

  test('without an anchor, cutting off the last lines cannot be detected (the limit the anchor exists for)', () => {
    rewrite(lines().slice(0, 7));
    assert.equal(problem(false), undefined);
  });

  test('a log cut back and written again past the anchor is reported as truncation at the anchored seq', () => {
    rewrite(lines().slice(0, 7));
    writeEvents(t.dir, key, 5);
    assert.deepEqual(problem(true), { line: 10, seq: 10, kind: 'truncated' });
  });

  test('a deleted or emptied log is reported as truncation against the anchor', () => {
    writeFileSync(path, '');
    assert.deepEqual(problem(true), { line: 1, seq: 1, kind: 'truncated' });
    unlinkSync(path);
    assert.deepEqual(problem(true), { line: 1, seq: 1, kind: 'truncated' });
    assert.deepEqual(verifyAudit(t.dir, key), { ok: true, lines: 0 });
  });

  test("a line from another vault's log spliced in is reported as an edit", () => {
    const other = tempHome('latchkey-audit-other-');
    try {
      writeEvents(other.dir, randomBytes(32), 10);
      const foreign = readFileSync(join(other.dir, 'audit.log'), 'utf8').split('\n');
      const ls = lines();
      ls[5] = foreign[5]!;
      rewrite(ls);
      assert.deepEqual(problem(), { line: 6, seq: 6, kind: 'edited' });
    } finally {
      other.cleanup();
    }
  });

  test('a line from a diverging copy of the same log (same key) spliced in is reported', () => {
    const original = lines();
    rewrite(original.slice(0, 5));
    writeEvents(t.dir, key, 5); // a second history from seq 6
    const fork = lines();
    const ls = [...original];
    ls[5] = fork[5]!;
    rewrite(ls);
    assert.deepEqual(problem(), { line: 7, seq: 7, kind: 'edited' });
  });

  test('a line that is not JSON, or has an extra key such as a smuggled value, is malformed', () => {
    const ls = lines();
    rewrite([...ls.slice(0, 3), 'not json', ...ls.slice(3)]);
    assert.deepEqual(problem(), { line: 4, seq: 4, kind: 'malformed' });
    const smuggled = [...ls];
    smuggled[2] = smuggled[2]!.replace('"result":"ok"', '"result":"ok","value":"sk_test_x"');
    rewrite(smuggled);
    assert.deepEqual(problem(), { line: 3, seq: 3, kind: 'malformed' });
  });

  test('a last line cut short is malformed', () => {
    writeFileSync(path, readFileSync(path).subarray(0, -30));
    assert.deepEqual(problem(), { line: 10, seq: 10, kind: 'malformed' });
  });

  test('the same content spelt differently (whitespace, key order) is an edit', () => {
    const ls = lines();
    ls[1] = ls[1]!.replace('"op":"read"', '"op": "read"');
    rewrite(ls);
    assert.deepEqual(problem(), { line: 2, seq: 2, kind: 'edited' });
    const reordered = lines();
    const entry = JSON.parse(reordered[1]!.replace('"op": "read"', '"op":"read"')) as Record<string, unknown>;
    const { seq, ...rest } = entry;
    reordered[1] = JSON.stringify({ ...rest, seq });
    rewrite(reordered);
    assert.deepEqual(problem(), { line: 2, seq: 2, kind: 'edited' });
  });

  test('verifying with another key reports the first line', () => {
    const report = verifyAudit(t.dir, randomBytes(32));
    assert.equal(report.ok, false);
    assert.equal(report.firstProblem?.line, 1);
    assert.equal(report.firstProblem?.kind, 'edited');
  });

  test('the report counts every line of the file even after a problem', () => {
    const ls = lines();
    ls[0] = ls[0]!.replace('"ok"', '"denied"');
    rewrite(ls);
    assert.equal(verifyAudit(t.dir, key).lines, 10);
  });
});

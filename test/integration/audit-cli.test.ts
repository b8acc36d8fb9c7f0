import assert from 'node:assert/strict';
import { readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentClient } from '../../main/core/agent/client';
import { startAgent } from '../helpers/agent-process';
import { runCli, type CliResult } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const PW = 'audit cli passphrase';
const CANARY = 'CANARY-audit-77c1';

interface Line {
  seq: number;
  op: string;
  ref?: string;
  result: string;
  reason?: string;
  who: { via: string; pid?: number; exe?: string; cwd?: string; uid?: number };
}

describe('the audit log through the CLI and the agent', () => {
  const t = tempHome('latchkey-auditcli-');
  const sock = join(t.dir, 'run', 'agent.sock');
  const log = join(t.home, 'audit.log');
  const cli = (args: string[], input = ''): Promise<CliResult> =>
    runCli(args, { home: t.home, input, env: { LATCHKEY_SOCK: sock } });
  const lines = (): Line[] =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);

  before(async () => {
    assert.equal((await cli(['init', '--password-stdin', '--kdf-target-ms', '1'], `${PW}\n`)).status, 0);
    assert.equal(
      (await cli(['set', 'lk://app/development/db/password', '--password-stdin'], `${PW}\n${CANARY}\n`))
        .status,
      0,
    );
  });
  after(() => t.cleanup());

  test('direct-mode reads, changes and failed unlocks are recorded, without values', async () => {
    assert.equal(
      (await cli(['get', 'lk://app/development/db/password', '--password-stdin'], `${PW}\n`)).status,
      0,
    );
    assert.equal(
      (await cli(['get', 'lk://app/development/db/password', '--password-stdin'], 'wrong password\n')).status,
      1,
    );
    assert.equal((await cli(['ls', '--password-stdin'], `${PW}\n`)).status, 0); // folds the pending line
    const ops = lines().map((l) => `${l.op}:${l.result}`);
    assert.deepEqual(ops.slice(0, 3), ['set:ok', 'read:ok', 'unlock-failed:denied']);
    const read = lines().find((l) => l.op === 'read')!;
    assert.equal(read.ref, 'lk://app/development/db/password');
    assert.equal(read.who.via, 'cli');
    assert.ok(read.who.pid && read.who.exe && read.who.cwd);
    assert.ok(!readFileSync(log, 'utf8').includes(CANARY));
  });

  test('reads through the agent name the calling process; refusals and locks are recorded', async () => {
    const agent = await startAgent(t.home, sock, [], PW);
    try {
      assert.equal((await cli(['get', 'lk://app/development/db/password'])).stdout.toString(), CANARY);
      const client = await AgentClient.connect(sock);
      await assert.rejects(client.call('resolve', { refs: ['lk://app/PROD/db/password'] }), {
        code: 'PRODUCTION_REFUSED',
      });
      client.close();
      assert.equal((await cli(['lock'])).status, 0);
    } finally {
      await agent.stop();
    }
    const tail = lines().slice(-4);
    assert.deepEqual(
      tail.map((l) => l.op),
      ['unlock', 'read', 'refusal', 'lock'],
    );
    assert.equal(tail[1]!.who.via, 'cli');
    assert.ok(
      tail[1]!.who.pid !== undefined && tail[1]!.who.pid !== agent.child.pid,
      'the reader is the CLI process, not the agent',
    );
    assert.equal(tail[2]!.reason, 'PRODUCTION_REFUSED');
    assert.ok(!readFileSync(log, 'utf8').includes(CANARY));
  });

  test('a refusal the CLI makes before reaching any vault is recorded too (pending until the next unlock)', async () => {
    const r = await cli(['get', 'lk://app/prod-eu/db/password', '--password-stdin'], `${PW}\n`);
    assert.match(r.stderr, /PRODUCTION_REFUSED/);
    assert.equal((await cli(['ls', '--password-stdin'], `${PW}\n`)).status, 0);
    const last = lines()
      .filter((l) => l.op === 'refusal')
      .pop()!;
    assert.equal(last.reason, 'PRODUCTION_REFUSED');
    assert.equal(last.who.via, 'cli');
  });

  test('latchkey audit lists and filters; --verify passes on an intact log', async () => {
    const all = await cli(['audit', '--json']);
    assert.equal(all.status, 0);
    assert.ok((JSON.parse(all.stdout.toString()) as Line[]).length >= 6);
    const reads = JSON.parse((await cli(['audit', '--op', 'read', '--json'])).stdout.toString()) as Line[];
    assert.ok(reads.length >= 2 && reads.every((l) => l.op === 'read'));
    const table = await cli(['audit', '--since', '1h']);
    assert.match(table.stdout.toString(), /^TIME\s+SEQ\s+WHO\s+OP\s+REF\s+RESULT/);
    const ok = await cli(['audit', '--verify', '--password-stdin'], `${PW}\n`);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout.toString(), /audit log intact/);
  });

  test('--verify detects an edited, a deleted and a reordered line, and truncation', async () => {
    // Anchor the current head in the vault with a change.
    assert.equal(
      (await cli(['set', 'lk://app/development/other/x', '--password-stdin'], `${PW}\nvalue\n`)).status,
      0,
    );
    const original = readFileSync(log, 'utf8');
    const rows = original.trim().split('\n');
    const cases: [string, string, RegExp][] = [
      [
        'edited',
        [
          ...rows.slice(0, 2),
          rows[2]!.replace('"ok"', '"denied"').replace('"denied"', '"refused"'),
          ...rows.slice(3),
        ].join('\n') + '\n',
        /edited/,
      ],
      ['deleted', [...rows.slice(0, 2), ...rows.slice(3)].join('\n') + '\n', /deleted/],
      ['reordered', [rows[0], rows[2], rows[1], ...rows.slice(3)].join('\n') + '\n', /reordered|edited/],
      ['truncated', rows.slice(0, rows.length - 2).join('\n') + '\n', /truncated/],
    ];
    for (const [name, content, kind] of cases) {
      writeFileSync(log, content, { mode: 0o600 });
      const r = await cli(['audit', '--verify', '--password-stdin'], `${PW}\n`);
      assert.equal(r.status, 1, name);
      assert.match(r.stderr, /^latchkey: AUDIT_TAMPERED: the audit log fails verification at line \d+/, name);
      assert.match(r.stderr, kind, name);
    }
    writeFileSync(log, original, { mode: 0o600 });
  });

  test('fail closed: when the audit line cannot be written, the value is not given out', async () => {
    renameSync(log, `${log}.real`);
    symlinkSync('/dev/null', log);
    try {
      const r = await cli(['get', 'lk://app/development/db/password', '--password-stdin'], `${PW}\n`);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^latchkey: (AUDIT_FAILED|UNSAFE_PATH|AUDIT_TAMPERED): /);
      assert.equal(r.stdout.length, 0);
    } finally {
      unlinkSync(log);
      renameSync(`${log}.real`, log);
    }
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, runCli } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const PW = 'direct run passphrase';
const CANARY = 'CANARY-direct-9b2c44e1';
const NODE = process.execPath;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** No agent here: LATCHKEY_SOCK points at nothing, so every run opens the vault itself. */
describe('latchkey run in direct mode (no agent)', () => {
  const t = tempHome('latchkey-run-direct-');
  const repo = join(t.dir, 'repo');
  const outputs: string[] = [];

  function lk(args: readonly string[], input: string | Buffer, cwd = repo): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(NODE, [CLI, ...args], {
        cwd,
        env: {
          PATH: process.env.PATH,
          HOME: t.home,
          LATCHKEY_HOME: t.home,
          LATCHKEY_SOCK: join(t.dir, 'no-agent', 'agent.sock'),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true, // no controlling terminal: nothing may be asked on /dev/tty
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
      child.on('error', reject);
      child.on('close', (status) => {
        const r = { status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
        outputs.push(r.stderr);
        resolve(r);
      });
    });
  }

  before(async () => {
    assert.equal(
      (await runCli(['init', '--password-stdin', '--kdf-target-ms', '1'], { home: t.home, input: `${PW}\n` }))
        .status,
      0,
    );
    const set = await runCli(['set', 'lk://shop/development/db/password', '--password-stdin'], {
      home: t.home,
      input: `${PW}\n${CANARY}\n`,
    });
    assert.equal(set.status, 0, set.stderr);
    mkdirSync(repo);
    writeFileSync(
      join(repo, 'latchkey.yml'),
      "project: shop\nvariables:\n  DB_PASSWORD: { ref: 'lk://shop/{env}/db/password' }\n",
    );
  });

  after(() => t.cleanup());

  test('--password-stdin takes the first line as the password and leaves the rest of stdin to the command', async () => {
    const rest = 'first line for the command\nsecond line\nno newline at the end';
    const r = await lk(
      [
        'run',
        '--password-stdin',
        '--',
        NODE,
        '-e',
        'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify([s, process.env.DB_PASSWORD])))',
      ],
      `${PW}\n${rest}`,
    );
    assert.equal(r.status, 0, r.stderr);
    // The whole value, exactly, was masked: the command had exactly the canary in its environment.
    assert.deepEqual(JSON.parse(r.stdout), [rest, '<redacted:DB_PASSWORD>']);
  });

  test('a password line with CRLF works, and stdin that ends right after it leaves the command an empty stdin', async () => {
    const r = await lk(
      [
        'run',
        '--password-stdin',
        '--',
        NODE,
        '-e',
        'let n=0;process.stdin.on("data",d=>n+=d.length).on("end",()=>console.log(n, process.env.DB_PASSWORD.length))',
      ],
      `${PW}\r\n`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `0 ${CANARY.length}\n`);
  });

  test('a wrong password fails before the command starts', async () => {
    const marker = join(t.dir, 'wrong-started');
    const r = await lk(
      [
        'run',
        '--password-stdin',
        '--',
        NODE,
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
      ],
      'not the password\nstdin\n',
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^latchkey: WRONG_PASSWORD: /);
    assert.equal(existsSync(marker), false);
  });

  test('with no agent and no terminal, latchkey says how to give the password', async () => {
    const r = await lk(['run', '--', NODE, '-e', 'console.log("ran")'], '');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^latchkey: NO_TERMINAL: there is no terminal to ask on; pass --password-stdin/);
    assert.equal(r.stdout, '');
  });

  test('--password-stdin with empty stdin is a usage error', async () => {
    const r = await lk(['run', '--password-stdin', '--', NODE, '-e', '0'], '');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^latchkey: USAGE: --password-stdin was given but standard input ended/);
  });

  test('direct-mode reads are written to the audit log, by ref and never by value', async () => {
    const r = await runCli(['audit', '--json', '--op', 'read'], { home: t.home });
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout.toString();
    assert.match(text, /lk:\/\/shop\/development\/db\/password/);
    assert.ok(!text.includes(CANARY));
  });

  test('no canary in anything latchkey printed', () => {
    for (const text of outputs) assert.ok(!text.includes(CANARY), text);
  });
});

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SHELLS } from '../../main/cli/shell/quote';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { CLI, runCli, type CliResult } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const PW = 'env test passphrase';
const MULTI = '-e first \'line\' "two" $PATH `uname` \\ !! ✓\n\nlast\n';
const CANARY = 'CANARY-env-9b3e';
const STAGING = 'staging-value-4f1';

const t = tempHome('latchkey-env-');
const repo = join(t.dir, 'repo');
const bare = join(t.dir, 'no-schema');
const sock = join(t.dir, 'run', 'agent.sock');
const SCHEMA = `project: app
variables:
  DB_PASSWORD: { ref: 'lk://app/{env}/db/password' }
  API_TOKEN: { ref: 'lk://app/{env}/api/token', environments: [development] }
`;

function cli(
  args: string[],
  options: { input?: string; cwd?: string; agent?: boolean } = {},
): Promise<CliResult> {
  // runCli has no cwd option; commands that search for latchkey.yml need one.
  const env = { LATCHKEY_SOCK: options.agent === false ? join(t.dir, 'none', 'agent.sock') : sock };
  if (options.cwd === undefined) return runCli(args, { home: t.home, input: options.input ?? '', env });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: t.home, LATCHKEY_HOME: t.home, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** Evals `statements` in a real shell and returns the named variable's bytes as the environment holds them. */
function evalIn(shell: (typeof SHELLS)[number], statements: Buffer, name: string): Buffer {
  const file = join(t.dir, `statements-${shell}`);
  writeFileSync(file, statements);
  const script =
    shell === 'fish' ? `cat ${file} | source; printenv ${name}` : `eval "$(cat '${file}')"; printenv ${name}`;
  const args =
    shell === 'fish'
      ? ['--no-config', '-c', script]
      : shell === 'zsh'
        ? ['-f', '-c', script]
        : ['--norc', '-c', script];
  const out = execFileSync(shell, args);
  return out.subarray(0, out.length - 1); // printenv's newline
}

let agent: AgentProcess;

before(async () => {
  mkdirSync(repo, { recursive: true });
  mkdirSync(bare, { recursive: true });
  writeFileSync(join(repo, 'latchkey.yml'), SCHEMA);
  assert.equal(
    (await cli(['init', '--password-stdin', '--kdf-target-ms', '1'], { input: `${PW}\n` })).status,
    0,
  );
  const sets: [string, string][] = [
    ['lk://app/development/db/password', MULTI],
    ['lk://app/development/api/token', CANARY],
    ['lk://app/staging/db/password', STAGING],
    ['lk://app/development/nul/value', 'a\0b'],
  ];
  for (const [ref, value] of sets) {
    const r = await cli(['set', ref, '--password-stdin'], { input: `${PW}\n${value}\n` });
    assert.equal(r.status, 0, r.stderr);
  }
  agent = await startAgent(t.home, sock, [], PW);
});
after(async () => {
  await agent?.stop();
  t.cleanup();
});

describe('latchkey env', () => {
  for (const shell of SHELLS) {
    test(`--shell ${shell}: the statements, evaluated by ${shell}, give every byte of each value`, async () => {
      const r = await cli(['env', '--shell', shell], { cwd: repo });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(evalIn(shell, r.stdout, 'DB_PASSWORD').equals(Buffer.from(MULTI)));
      assert.equal(evalIn(shell, r.stdout, 'API_TOKEN').toString(), CANARY);
      assert.match(r.stdout.toString('latin1'), /^[\x20-\x7e\n]*$/, 'printable ASCII only');
    });
  }

  test('without an agent it opens the vault with --password-stdin, and prints the same', async () => {
    const viaAgent = await cli(['env', '--shell', 'bash'], { cwd: repo });
    const direct = await cli(['env', '--shell', 'bash', '--password-stdin'], {
      cwd: repo,
      input: `${PW}\n`,
      agent: false,
    });
    assert.equal(direct.status, 0, direct.stderr);
    assert.equal(direct.stdout.toString(), viaAgent.stdout.toString());
  });

  test('--env staging takes the staging refs and leaves out what is not there', async () => {
    const r = await cli(['env', '--shell', 'zsh', '--env', 'staging'], { cwd: repo });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString(), `export DB_PASSWORD=$'${STAGING}'\n`);
  });

  test('--secret NAME=ref works anywhere, without a schema', async () => {
    const r = await cli(['env', '--shell', 'fish', '--secret', 'TOKEN=lk://app/development/api/token'], {
      cwd: bare,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString(), `set -gx TOKEN '${CANARY}'\n`);
  });

  test('a value holding a NUL byte is refused by name and nothing is printed', async () => {
    const r = await cli(
      [
        'env',
        '--shell',
        'bash',
        '--secret',
        'OK=lk://app/development/api/token',
        '--secret',
        'BAD=lk://app/development/nul/value',
      ],
      { cwd: bare },
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /INVALID_VALUE: the value of BAD \(lk:\/\/app\/development\/nul\/value\) holds a NUL byte/,
    );
    assert.equal(r.stdout.length, 0);
  });

  test('a required value missing from the vault is an error naming it, and nothing is printed', async () => {
    const r = await cli(
      [
        'env',
        '--shell',
        'bash',
        '--secret',
        'OK=lk://app/development/api/token',
        '--secret',
        'GONE=lk://app/development/gone/x',
      ],
      { cwd: bare },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /SECRET_MISSING: GONE needs lk:\/\/app\/development\/gone\/x/);
    assert.equal(r.stdout.length, 0);
  });

  test('misuse is refused: no shell, an unknown shell, --env with --secret, a shell variable name', async () => {
    assert.match(
      (await cli(['env'], { cwd: repo })).stderr,
      /USAGE: 'latchkey env --shell' needs a shell: bash, zsh, fish/,
    );
    assert.match((await cli(['env', '--shell', 'tcsh'], { cwd: repo })).stderr, /USAGE: .*not 'tcsh'/);
    const both = await cli([
      'env',
      '--shell',
      'bash',
      '--env',
      'staging',
      '--secret',
      'A=lk://app/development/api/token',
    ]);
    assert.match(both.stderr, /USAGE: --env picks/);
    const shellOwn = await cli([
      'env',
      '--shell',
      'bash',
      '--secret',
      'SECONDS=lk://app/development/api/token',
    ]);
    assert.equal(shellOwn.status, 1);
    assert.match(shellOwn.stderr, /VARIABLE_REFUSED: SECONDS is the shell's own variable/);
    assert.equal(shellOwn.stdout.length, 0);
  });
});

describe('latchkey allow and deny', () => {
  const allowFile = join(t.home, 'allowed.json');

  test('allow shows names and refs, never values, and records path and hash in a 0600 allowed.json', async () => {
    const r = await cli(['allow'], { cwd: repo });
    assert.equal(r.status, 0, r.stderr);
    const shown = r.stdout.toString();
    assert.match(shown, /DB_PASSWORD +lk:\/\/app\/development\/db\/password\n/);
    assert.match(shown, /API_TOKEN +lk:\/\/app\/development\/api\/token\n/);
    assert.match(shown, /^Allowed: /m);
    for (const secret of [CANARY, 'first', STAGING])
      assert.ok(!shown.includes(secret) && !r.stderr.includes(secret));
    assert.equal(statSync(allowFile).mode & 0o777, 0o600);
    const list = JSON.parse(readFileSync(allowFile, 'utf8')) as { allowed: { path: string; hash: string }[] };
    assert.equal(list.allowed[0]!.path, join(repo, 'latchkey.yml'));
    assert.match(list.allowed[0]!.hash, /^[0-9a-f]{64}$/);
    assert.ok(!readFileSync(allowFile, 'utf8').includes(CANARY));
  });

  test('allowing the same bytes again changes nothing; new bytes replace the entry', async () => {
    const before = readFileSync(allowFile);
    const again = await cli(['allow', repo]);
    assert.match(again.stdout.toString(), /Already allowed; nothing changed\./);
    assert.ok(readFileSync(allowFile).equals(before));
    writeFileSync(join(repo, 'latchkey.yml'), `${SCHEMA}# edited\n`);
    const changed = await cli(['allow', join(repo, 'latchkey.yml')]);
    assert.match(changed.stdout.toString(), /Allowed this version \(it replaces the one allowed before\)/);
    const list = JSON.parse(readFileSync(allowFile, 'utf8')) as { allowed: unknown[] };
    assert.equal(list.allowed.length, 1);
  });

  test('an invalid schema is not allowed, and nothing is recorded', async () => {
    const bad = join(t.dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'latchkey.yml'), 'project: app-prod\nvariables: {}\n');
    const before = readFileSync(allowFile);
    const r = await cli(['allow', bad]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /PRODUCTION_REFUSED|SCHEMA_INVALID/);
    assert.ok(readFileSync(allowFile).equals(before));
  });

  test('no schema here or above: SCHEMA_NOT_FOUND', async () => {
    const r = await cli(['allow', '/']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /SCHEMA_NOT_FOUND/);
  });

  test('a tampered allowed.json is refused, not overwritten', async () => {
    const good = readFileSync(allowFile);
    writeFileSync(allowFile, '{"version":1,"allowed":[{"path":"x"}]}');
    const r = await cli(['allow', repo]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /STORAGE_FAILED: .*allowed\.json is not a valid allow list/);
    assert.equal(readFileSync(allowFile, 'utf8'), '{"version":1,"allowed":[{"path":"x"}]}');
    chmodSync(allowFile, 0o644);
    writeFileSync(allowFile, good);
    assert.match((await cli(['deny', repo])).stderr, /UNSAFE_PATH/);
    chmodSync(allowFile, 0o600);
  });

  test('deny removes the entry; denying again says it was not allowed; a deleted repo can be denied by its directory', async () => {
    const r = await cli(['deny'], { cwd: repo });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout.toString(),
      /^Denied .*latchkey\.yml: the shell hook no longer exports its variables\.$/m,
    );
    assert.match((await cli(['deny', repo])).stdout.toString(), /was not allowed; nothing changed/);
    const gone = join(t.dir, 'gone');
    mkdirSync(gone);
    writeFileSync(join(gone, 'latchkey.yml'), 'project: app\nvariables: {}\n');
    assert.equal((await cli(['allow', gone])).status, 0);
    rmSync(gone, { recursive: true });
    assert.match((await cli(['deny', gone])).stdout.toString(), /^Denied /);
    const list = JSON.parse(readFileSync(allowFile, 'utf8')) as { allowed: unknown[] };
    assert.equal(list.allowed.length, 0);
  });

  test('shell-hook needs a known shell', async () => {
    assert.match((await cli(['shell-hook'])).stderr, /USAGE/);
    assert.match(
      (await cli(['shell-hook', 'powershell'])).stderr,
      /USAGE: 'latchkey shell-hook' needs a shell/,
    );
    const hook = await cli(['shell-hook', 'zsh']);
    assert.equal(hook.status, 0);
    assert.match(hook.stdout.toString(), /add-zsh-hook chpwd __latchkey_hook/);
  });
});

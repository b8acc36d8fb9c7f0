import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { runCli } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const PW = 'doctor test passphrase';
const CANARY = 'CANARY-doctor-41d0f7';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('latchkey doctor', () => {
  const t = tempHome('latchkey-doctor-');
  const sock = join(t.dir, 'run', 'agent.sock');
  const repo = join(t.dir, 'repo');
  const complete = join(t.dir, 'complete');
  let agent: AgentProcess;
  const outputs: string[] = [];

  async function doctor(
    args: readonly string[],
    options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<Result> {
    const r = await runCli(['doctor', ...args], {
      home: options.env?.LATCHKEY_HOME ?? t.home,
      cwd: options.cwd ?? repo,
      input: options.input ?? '',
      env: { LATCHKEY_SOCK: sock, ...options.env },
    });
    const result = { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr };
    outputs.push(result.stdout, result.stderr);
    return result;
  }

  before(async () => {
    const cli = (args: string[], input: string) =>
      runCli(args, { home: t.home, input, env: { LATCHKEY_SOCK: sock } });
    assert.equal((await cli(['init', '--password-stdin', '--kdf-target-ms', '1'], `${PW}\n`)).status, 0);
    assert.equal(
      (await cli(['set', 'lk://payments/development/db/url', '--password-stdin'], `${PW}\n${CANARY}\n`))
        .status,
      0,
    );
    agent = await startAgent(t.home, sock, [], PW);
    mkdirSync(repo);
    writeFileSync(
      join(repo, 'latchkey.yml'),
      [
        'project: payments',
        'variables:',
        "  DATABASE_URL: { ref: 'lk://payments/{env}/db/url', owner: '#payments-oncall' }",
        '  STRIPE_SECRET_KEY:',
        "    ref: 'lk://payments/{env}/stripe/secret_key'",
        '    owner: payments-team@example.com',
        "  REDIS_URL: { ref: 'lk://payments/{env}/redis/url', environments: [staging] }",
        '',
      ].join('\n'),
    );
    mkdirSync(complete);
    writeFileSync(
      join(complete, 'latchkey.yml'),
      "project: payments\nvariables:\n  DATABASE_URL: { ref: 'lk://payments/{env}/db/url' }\n",
    );
  });

  after(async () => {
    await agent.stop();
    t.cleanup();
  });

  test('lists every variable with its ref, whether it is required and its owner, says what is missing and whom to ask, and exits 1', async () => {
    const r = await doctor([]);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(
      r.stdout,
      /^latchkey\.yml {2}.*repo\/latchkey\.yml\nproject {7}payments\nenvironment {3}development\nagent {9}running, unlocked/,
    );
    const row = (name: string): string => lines.find((l) => l.startsWith(`${name} `)) ?? '';
    assert.match(
      row('DATABASE_URL'),
      /^DATABASE_URL\s+yes\s+lk:\/\/payments\/development\/db\/url\s+#payments-oncall\s+ok$/,
    );
    assert.match(
      row('STRIPE_SECRET_KEY'),
      /^STRIPE_SECRET_KEY\s+yes\s+lk:\/\/payments\/development\/stripe\/secret_key\s+payments-team@example\.com\s+MISSING$/,
    );
    assert.match(
      row('REDIS_URL'),
      /^REDIS_URL\s+no\s+lk:\/\/payments\/development\/redis\/url\s+-\s+missing \(optional here\)$/,
    );
    assert.match(
      r.stdout,
      /1 required secret is missing from your vault; ask for access, then run 'latchkey sync':\n {2}STRIPE_SECRET_KEY {2}lk:\/\/payments\/development\/stripe\/secret_key {2}ask payments-team@example\.com\n/,
    );
    assert.equal(r.stderr, '');
  });

  test('exits 0 when every required variable is in the vault', async () => {
    const r = await doctor([], { cwd: complete });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All 1 required secret is in your vault\./);
  });

  test('--json gives the same report for scripts, and --env picks the environment', async () => {
    const r = await doctor(['--json', '--env', 'staging']);
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout) as {
      environment: string;
      agent: { running: boolean; locked: boolean };
      checked: boolean;
      ok: boolean;
      missingRequired: string[];
      variables: { name: string; ref: string; required: boolean; owner: string | null; status: string }[];
    };
    assert.equal(report.environment, 'staging');
    assert.deepEqual(report.agent.running, true);
    assert.equal(report.checked, true);
    assert.equal(report.ok, false);
    assert.deepEqual(report.missingRequired, ['DATABASE_URL', 'STRIPE_SECRET_KEY', 'REDIS_URL']);
    assert.deepEqual(
      report.variables.map((v) => [v.name, v.ref, v.required, v.owner, v.status]),
      [
        ['DATABASE_URL', 'lk://payments/staging/db/url', true, '#payments-oncall', 'missing'],
        [
          'STRIPE_SECRET_KEY',
          'lk://payments/staging/stripe/secret_key',
          true,
          'payments-team@example.com',
          'missing',
        ],
        ['REDIS_URL', 'lk://payments/staging/redis/url', true, null, 'missing'],
      ],
    );
  });

  test('a locked agent is reported, nothing is checked, and the exit status is 1', async () => {
    assert.equal((await runCli(['lock'], { home: t.home, env: { LATCHKEY_SOCK: sock } })).status, 0);
    try {
      const r = await doctor([], { cwd: complete });
      assert.equal(r.status, 1);
      assert.match(r.stdout, /agent {9}running, locked/);
      assert.match(r.stdout, /DATABASE_URL .* not checked/);
      assert.match(r.stdout, /Could not check your vault: the agent is locked — run 'latchkey unlock'/);
    } finally {
      assert.equal(
        (
          await runCli(['unlock', '--password-stdin'], {
            home: t.home,
            input: `${PW}\n`,
            env: { LATCHKEY_SOCK: sock },
          })
        ).status,
        0,
      );
    }
  });

  test('without an agent it opens the vault directly (--password-stdin)', async () => {
    const r = await doctor(['--password-stdin'], { cwd: complete, input: `${PW}\n` });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /agent {9}not running/);
  });

  test('a newcomer with no vault yet is told to init, and every required variable is missing', async () => {
    const r = await doctor([], { env: { LATCHKEY_HOME: join(t.dir, 'empty-home'), LATCHKEY_NO_AGENT: '1' } });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /2 required secrets are missing/);
    assert.match(r.stdout, /you have no vault yet — run 'latchkey init', then 'latchkey sync'/);
  });

  test('outside a repo with a latchkey.yml, doctor says so', async () => {
    const r = await doctor([], { cwd: '/' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^latchkey: SCHEMA_NOT_FOUND: /);
  });

  test('never prints a value', () => {
    for (const text of [...outputs, agent.stderr()]) assert.ok(!text.includes(CANARY), text);
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { CLI, runCli } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const PW = 'run test passphrase';
const CANARY = 'CANARY-run-3e9d71a2';
const TRICKY = `multi\nline "double" 'single' $HOME \`cmd\` \\back\\slash ünïcödé €😀\ttab =equals`;
const OTHER = 'second-secret-value-0042';
const NODE = process.execPath;

interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Every test runs twice: on Node's own handles (the default, main/cli/run/node-handles.ts) and on
 * its public modules (LATCHKEY_RUN_PUBLIC_IO=1, what `run` falls back to where the handles are not
 * as expected) — the same behaviour either way.
 */
for (const io of ['handles', 'public'] as const) describeRun(io);

function describeRun(io: 'handles' | 'public'): void {
  describe(`latchkey run (${io === 'handles' ? "on Node's handles" : "on Node's public modules"})`, () => {
    const t = tempHome('latchkey-run-');
    const sock = join(t.dir, 'run', 'agent.sock');
    const repo = join(t.dir, 'repo');
    let agent: AgentProcess;
    let itemsSetAt = 0;
    /** Everything latchkey itself wrote, and the child output it masked: no canary may be in it. */
    const mustBeClean: string[] = [];

    /** Starts latchkey (node bin/latchkey.js) in `cwd`, in its own session like runCli. */
    function start(
      args: readonly string[],
      options: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
    ): { child: ChildProcess; done: Promise<Result> } {
      const child = spawn(NODE, [CLI, ...args], {
        cwd: options.cwd ?? repo,
        env: {
          PATH: process.env.PATH,
          HOME: t.home,
          LATCHKEY_HOME: t.home,
          LATCHKEY_SOCK: sock,
          ...(io === 'public' ? { LATCHKEY_RUN_PUBLIC_IO: '1' } : {}),
          ...options.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => undefined);
      if (options.input !== undefined) child.stdin.end(options.input);
      const done = new Promise<Result>((resolve, reject) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('error', reject);
        child.on('close', (status, signal) => {
          clearTimeout(timer);
          resolve({
            status,
            signal,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          });
        });
      });
      return { child, done };
    }

    async function lk(
      args: readonly string[],
      options: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv; unmasked?: boolean } = {},
    ): Promise<Result> {
      const r = await start(args, { input: '', ...options }).done;
      mustBeClean.push(r.stderr);
      if (!options.unmasked) mustBeClean.push(r.stdout);
      return r;
    }

    function schema(dir: string, text: string): string {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'latchkey.yml'), text);
      return dir;
    }

    function script(name: string, source: string): string {
      const path = join(t.dir, name);
      writeFileSync(path, source);
      return path;
    }

    before(async () => {
      const cli = (args: string[], input: string) =>
        runCli(args, { home: t.home, input, env: { LATCHKEY_SOCK: sock } });
      assert.equal((await cli(['init', '--password-stdin', '--kdf-target-ms', '1'], `${PW}\n`)).status, 0);
      for (const [ref, value] of [
        ['lk://app/development/db/password', CANARY],
        ['lk://app/development/api/token', TRICKY],
        ['lk://app/staging/db/password', OTHER],
        ['lk://app/development/nul/value', `before\0${CANARY}`],
      ] as const) {
        const r = await cli(['set', ref, '--password-stdin'], `${PW}\n${value}\n`);
        assert.equal(r.status, 0, r.stderr);
      }
      itemsSetAt = Date.now();
      agent = await startAgent(t.home, sock, [], PW);
      schema(
        repo,
        [
          'project: app',
          'variables:',
          "  DB_PASSWORD: { ref: 'lk://app/{env}/db/password', owner: 'db-team@example.com' }",
          "  API_TOKEN: { ref: 'lk://app/{env}/api/token', environments: [development] }",
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      await agent.stop();
      t.cleanup();
    });

    test('the exit status is the command’s: 0, 3 and 255', async () => {
      for (const code of [0, 3, 255]) {
        const r = await lk(['run', '--', NODE, '-e', `process.exit(${code})`]);
        assert.equal(r.status, code, r.stderr);
      }
    });

    test('a command that kills itself with SIGTERM makes latchkey exit 143 (128 + 15)', async () => {
      const r = await lk(['run', '--', NODE, '-e', "process.kill(process.pid, 'SIGTERM')"]);
      assert.equal(r.status, 143, r.stderr);
      const k = await lk(['run', '--', NODE, '-e', "process.kill(process.pid, 'SIGKILL')"]);
      assert.equal(k.status, 137, k.stderr);
    });

    test('SIGINT, SIGTERM, SIGHUP, SIGWINCH and SIGUSR2 sent to latchkey reach the command', async () => {
      const trap = script(
        'trap.js',
        `for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGWINCH', 'SIGUSR2']) {
         process.on(s, () => { process.stdout.write('got ' + s + '\\n'); setTimeout(() => process.exit(7), 20); });
       }
       process.stdout.write('ready\\n');
       setTimeout(() => process.exit(9), 20000);`,
      );
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGWINCH', 'SIGUSR2'] as const) {
        const { child, done } = start(['run', '--', NODE, trap], { input: '' });
        await new Promise<void>((resolve) => {
          let seen = '';
          child.stdout!.on('data', (d: Buffer) => {
            seen += d.toString();
            if (seen.includes('ready')) resolve();
          });
        });
        child.kill(signal);
        const r = await done;
        mustBeClean.push(r.stderr);
        assert.equal(r.stdout, `ready\ngot ${signal}\n`, signal);
        assert.equal(r.status, 7, `${signal}: ${r.stderr}`);
      }
    });

    test('stdin passes through to the command, byte for byte', async () => {
      const input = `${randomBytes(512 * 1024).toString('base64')}\nlast line\n`;
      const r = await lk(['run', '--', NODE, '-e', 'process.stdin.pipe(process.stdout)'], { input });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, input);
    });

    test('values reach the command’s environment exactly: newlines, quotes, $, backslashes, Unicode', async () => {
      const r = await lk(
        [
          'run',
          '--no-mask',
          '--',
          NODE,
          '-e',
          'process.stdout.write(JSON.stringify([process.env.DB_PASSWORD, process.env.API_TOKEN]))',
        ],
        { unmasked: true },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), [CANARY, TRICKY]);
    });

    test(
      'values are never in the command’s argv or latchkey’s own (/proc/<pid>/cmdline)',
      { skip: process.platform !== 'linux' && '/proc is Linux' },
      async () => {
        const check = script(
          'argv-check.js',
          `const fs = require('fs');
         const own = fs.readFileSync('/proc/self/cmdline');
         const parent = fs.readFileSync('/proc/' + process.ppid + '/cmdline');
         const env = fs.readFileSync('/proc/self/environ');
         const v = Buffer.from(process.env.DB_PASSWORD);
         process.stdout.write(JSON.stringify({ own: own.includes(v), parent: parent.includes(v), env: env.includes(v), parentArgv: parent.toString().split('\\0') }));`,
        );
        const r = await lk(['run', '--', NODE, check, CANARY.slice(0, 3)]);
        assert.equal(r.status, 0, r.stderr);
        const seen = JSON.parse(r.stdout) as {
          own: boolean;
          parent: boolean;
          env: boolean;
          parentArgv: string[];
        };
        assert.equal(seen.env, true, 'the value is in the environment');
        assert.equal(seen.own, false, "the value is in the command's argv");
        assert.equal(seen.parent, false, "the value is in latchkey's argv");
        assert.ok(seen.parentArgv.includes('run'), 'the parent is latchkey run');
      },
    );

    test('injected values are masked in stdout and stderr when they are pipes', async () => {
      const r = await lk([
        'run',
        '--',
        NODE,
        '-e',
        'console.log("out:" + process.env.DB_PASSWORD + ":end"); console.error("err " + process.env.API_TOKEN + " done")',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'out:<redacted:DB_PASSWORD>:end\n');
      assert.equal(r.stderr, 'err <redacted:API_TOKEN> done\n');
    });

    test('a value the command writes in two pieces, with a pause between them, is still masked', async () => {
      const split = script(
        'split.js',
        `const v = process.env.DB_PASSWORD; const half = Math.floor(v.length / 2);
       process.stdout.write('[' + v.slice(0, half));
       process.stderr.write('(' + v.slice(0, 3));
       setTimeout(() => { process.stdout.write(v.slice(half) + ']\\n'); process.stderr.write(v.slice(3) + ')\\n'); }, 300);`,
      );
      const r = await lk(['run', '--', NODE, split]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '[<redacted:DB_PASSWORD>]\n');
      assert.equal(r.stderr, '(<redacted:DB_PASSWORD>)\n');
    });

    test('--no-mask leaves the output as the command wrote it', async () => {
      const r = await lk(['run', '--no-mask', '--', NODE, '-e', 'console.log(process.env.DB_PASSWORD)'], {
        unmasked: true,
      });
      assert.equal(r.stdout, `${CANARY}\n`);
    });

    test('a required secret the vault lacks stops latchkey before the command starts, naming variable, ref and owner', async () => {
      const dir = schema(
        join(t.dir, 'missing'),
        [
          'project: app',
          'variables:',
          "  DB_PASSWORD: { ref: 'lk://app/{env}/db/password' }",
          "  STRIPE_KEY: { ref: 'lk://app/{env}/stripe/secret_key', owner: 'payments-team@example.com' }",
          '',
        ].join('\n'),
      );
      const marker = join(dir, 'started');
      const r = await lk(
        ['run', '--', NODE, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`],
        { cwd: dir },
      );
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        "latchkey: SECRET_MISSING: STRIPE_KEY needs lk://app/development/stripe/secret_key, which your vault does not have; ask payments-team@example.com (its owner) for access, then run 'latchkey sync'\n",
      );
      assert.equal(existsSync(marker), false, 'the command ran');
    });

    test('a variable that is optional in this environment and missing is skipped', async () => {
      const r = await lk([
        'run',
        '--env',
        'staging',
        '--',
        NODE,
        '-e',
        'console.log(String(process.env.API_TOKEN), process.env.DB_PASSWORD === undefined)',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'undefined false\n');
    });

    test('--env picks the environment; production is refused before anything runs', async () => {
      const r = await lk(
        ['run', '--env', 'stg', '--no-mask', '--', NODE, '-e', 'console.log(process.env.DB_PASSWORD)'],
        { unmasked: true },
      );
      assert.equal(r.stdout, `${OTHER}\n`, r.stderr);
      const prod = await lk(['run', '--env', 'prod', '--', NODE, '-e', 'console.log("ran")']);
      assert.equal(prod.status, 1);
      assert.match(prod.stderr, /^latchkey: PRODUCTION_REFUSED: /);
      assert.equal(prod.stdout, '');
    });

    test('--project must name the project of the latchkey.yml found', async () => {
      assert.equal((await lk(['run', '--project', 'app', '--', NODE, '-e', '0'])).status, 0);
      const r = await lk(['run', '--project', 'billing', '--', NODE, '-e', 'console.log("ran")']);
      assert.equal(r.status, 2);
      assert.match(
        r.stderr,
        /^latchkey: USAGE: --project billing does not match .*latchkey\.yml, which is for project 'app'/,
      );
      assert.equal(r.stdout, '');
    });

    test('--secret NAME=ref injects just that, without reading latchkey.yml', async () => {
      const r = await lk(
        [
          'run',
          '--secret',
          'ONE=lk://app/dev/db/password',
          '--secret=TWO=lk://app/staging/db/password',
          '--no-mask',
          '--',
          NODE,
          '-e',
          'console.log(process.env.ONE, process.env.TWO, process.env.DB_PASSWORD)',
        ],
        { cwd: t.dir, unmasked: true },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${CANARY} ${OTHER} undefined\n`);
    });

    test('the command and its arguments are passed exactly, without a shell, even --help', async () => {
      const args = ['--help', 'two words', '$HOME', '*', '"q"', '', "it's"];
      const echo = script('argv.js', 'console.log(JSON.stringify(process.argv.slice(2)))');
      const r = await lk(['run', '--', NODE, echo, ...args]);
      assert.deepEqual(JSON.parse(r.stdout), args);
      const bare = await lk(['run', NODE, '-e', 'console.log("no dashes needed")']);
      assert.equal(bare.stdout, 'no dashes needed\n');
    });

    test('a command that is not there exits 127 with one latchkey line; one that cannot be executed, 126', async () => {
      const r = await lk(['run', '--', 'no-such-command-5b1e']);
      assert.equal(r.status, 127);
      assert.equal(
        r.stderr,
        "latchkey: cannot run 'no-such-command-5b1e': command not found (looked for it in PATH)\n",
      );
      const file = script('not-executable.sh', 'echo hi\n');
      chmodSync(file, 0o644);
      const n = await lk(['run', '--', file]);
      assert.equal(n.status, 126);
      assert.match(n.stderr, /^latchkey: cannot run '.*not-executable\.sh': permission denied/);
      const e = await lk(['run', '--', '']);
      assert.equal(e.status, 127);
      assert.equal(e.stderr, "latchkey: cannot run '': command not found (looked for it in PATH)\n");
    });

    test('loader variables are refused: --secret LD_PRELOAD, and NODE_OPTIONS in a schema that does not allow it', async () => {
      const marker = join(t.dir, 'loader-started');
      const touch = ['--', NODE, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`];
      const ld = await lk(['run', '--secret', 'LD_PRELOAD=lk://app/development/db/password', ...touch], {
        cwd: t.dir,
      });
      assert.equal(ld.status, 1);
      assert.match(ld.stderr, /^latchkey: VARIABLE_REFUSED: LD_PRELOAD changes how programs load code/);
      for (const name of ['LATCHKEY_SOCK', 'BAD-NAME', 'path']) {
        const r = await lk(['run', '--secret', `${name}=lk://app/development/db/password`, ...touch], {
          cwd: t.dir,
        });
        assert.match(r.stderr, /^latchkey: VARIABLE_REFUSED: /, name);
      }
      const refused = schema(
        join(t.dir, 'loader'),
        "project: app\nvariables:\n  NODE_OPTIONS: { ref: 'lk://app/{env}/db/password' }\n",
      );
      const r = await lk(['run', ...touch], { cwd: refused });
      assert.equal(r.status, 1);
      assert.match(
        r.stderr,
        /^latchkey: VARIABLE_REFUSED: .*latchkey\.yml:3: NODE_OPTIONS changes how programs load code/,
      );
      assert.equal(existsSync(marker), false, 'the command ran');
      const allowed = schema(
        join(t.dir, 'loader-allowed'),
        "project: app\nallow_loader_vars: [NODE_OPTIONS]\nvariables:\n  NODE_OPTIONS: { ref: 'lk://app/{env}/db/password' }\n",
      );
      const ok = await lk(
        ['run', '--', '/bin/sh', '-c', 'test "$NODE_OPTIONS" = "$1" && echo allowed', 'sh', CANARY],
        {
          cwd: allowed,
        },
      );
      assert.equal(ok.stdout, 'allowed\n', ok.stderr);
    });

    test('one rotation warning line for two values older than their rotate_every', async () => {
      const dir = schema(
        join(t.dir, 'rotation'),
        [
          'project: app',
          'variables:',
          "  DB_PASSWORD: { ref: 'lk://app/{env}/db/password', rotate_every: 1s }",
          "  API_TOKEN: { ref: 'lk://app/{env}/api/token', rotate_every: 1s }",
          "  FRESH: { ref: 'lk://app/staging/db/password' }",
          '',
        ].join('\n'),
      );
      const wait = itemsSetAt + 1200 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const r = await lk(['run', '--', NODE, '-e', 'console.log("ran")'], { cwd: dir });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'ran\n');
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0]!,
        /^latchkey: warning: 2 secrets are past their rotation policy \(DB_PASSWORD: [\d.]+ \w+, > 1s; API_TOKEN: [\d.]+ \w+, > 1s\); ask their owners to rotate them$/,
      );
      const quiet = await lk(['run', '--', NODE, '-e', '0']);
      assert.equal(quiet.stderr, '', 'no warning under the default 90d policy');
    });

    test('an edited latchkey.yml takes effect on the next run, even with the same size and time', async () => {
      const dir = join(t.dir, 'edited');
      const file = join(
        schema(dir, "project: app\nvariables:\n  AAA: { ref: 'lk://app/{env}/db/password' }\n"),
        'latchkey.yml',
      );
      const print = ['run', '--no-mask', '--', NODE, '-e', 'console.log(process.env.AAA, process.env.BBB)'];
      assert.equal((await lk(print, { cwd: dir, unmasked: true })).stdout, `${CANARY} undefined\n`);
      assert.equal((await lk(print, { cwd: dir, unmasked: true })).stdout, `${CANARY} undefined\n`);
      const before = statSync(file);
      writeFileSync(file, "project: app\nvariables:\n  BBB: { ref: 'lk://app/{env}/db/password' }\n");
      utimesSync(file, before.atime, before.mtime);
      assert.equal((await lk(print, { cwd: dir, unmasked: true })).stdout, `undefined ${CANARY}\n`);
      writeFileSync(file, "project: app\nvariables:\n  LD_PRELOAD: { ref: 'lk://app/{env}/db/password' }\n");
      const r = await lk(print, { cwd: dir });
      assert.match(r.stderr, /VARIABLE_REFUSED/);
    });

    test('without latchkey.yml or --secret, or without a command, latchkey says what to do', async () => {
      const none = await lk(['run', '--', NODE, '-e', '0'], { cwd: '/' });
      assert.equal(none.status, 1);
      assert.match(none.stderr, /^latchkey: SCHEMA_NOT_FOUND: there is no latchkey\.yml here/);
      const usage = await lk(['run']);
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /^latchkey: USAGE: give the command to run/);
      const both = await lk(['run', '--mask', '--no-mask', '--', 'true']);
      assert.match(both.stderr, /^latchkey: USAGE: --mask and --no-mask contradict/);
      const help = await lk(['run', '--help']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, /^usage: latchkey run /);
    });

    test('through the agent no password is asked, and each value read is audited as a run', async () => {
      const r = await lk(['run', '--', NODE, '-e', 'console.log(process.env.DB_PASSWORD.length)']);
      assert.equal(r.stdout, `${CANARY.length}\n`);
      const audit = await lk(['audit', '--json', '--ref', 'lk://app/development/db/password'], {
        unmasked: true,
      });
      assert.equal(audit.status, 0, audit.stderr);
      assert.match(audit.stdout, /"via": ?"run"/);
      assert.ok(!audit.stdout.includes(CANARY));
    });

    test('a locked agent stops latchkey before the command starts; no password is asked', async () => {
      const env = { LATCHKEY_SOCK: sock };
      assert.equal((await runCli(['lock'], { home: t.home, env })).status, 0);
      try {
        const marker = join(t.dir, 'locked-started');
        const r = await lk([
          'run',
          '--',
          NODE,
          '-e',
          `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
        ]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^latchkey: LOCKED: /);
        assert.equal(existsSync(marker), false);
      } finally {
        const u = await runCli(['unlock', '--password-stdin'], { home: t.home, input: `${PW}\n`, env });
        assert.equal(u.status, 0, u.stderr);
      }
    });

    test('a value holding a NUL byte is refused without being printed, and nothing starts', async () => {
      const r = await lk(
        [
          'run',
          '--secret',
          'NUL_VALUE=lk://app/development/nul/value',
          '--',
          NODE,
          '-e',
          'console.log("ran")',
        ],
        {
          cwd: t.dir,
        },
      );
      assert.equal(r.status, 1);
      assert.match(
        r.stderr,
        /^latchkey: INVALID_VALUE: the value of NUL_VALUE \(lk:\/\/app\/development\/nul\/value\) holds a NUL byte/,
      );
      assert.equal(r.stdout, '');
    });

    test('250 variables, more than the agent answers in one request, are all resolved', async () => {
      const lines = ['project: app', 'variables:', "  DB_PASSWORD: { ref: 'lk://app/{env}/db/password' }"];
      for (let i = 0; i < 249; i++)
        lines.push(`  OPTIONAL_${i}: { ref: 'lk://app/{env}/absent${i}/value', environments: [staging] }`);
      const dir = schema(join(t.dir, 'many'), `${lines.join('\n')}\n`);
      const r = await lk(
        ['run', '--', NODE, '-e', 'console.log(process.env.DB_PASSWORD.length, process.env.OPTIONAL_7)'],
        { cwd: dir },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${CANARY.length} undefined\n`);
    });

    test(
      io === 'handles'
        ? 'the fast path loads none of net, stream, tty, child_process or crypto'
        : 'LATCHKEY_RUN_PUBLIC_IO=1 makes run use net and child_process',
      async () => {
        const out = join(t.dir, `modules-${io}.txt`);
        const probe = script(
          'module-probe.js',
          "process.on('exit', () => require('fs').writeFileSync(process.env.PROBE_OUT, process.moduleLoadList.join('\\n')));",
        );
        const r = await lk(['run', '--', 'true'], {
          env: { NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out },
        });
        assert.equal(r.status, 0, r.stderr);
        const loaded = new Set(readFileSync(out, 'utf8').split('\n'));
        const heavy = ['net', 'stream', 'tty', 'child_process', 'crypto'].filter((m) =>
          loaded.has(`NativeModule ${m}`),
        );
        if (io === 'handles') assert.deepEqual(heavy, []);
        else assert.ok(heavy.includes('net') && heavy.includes('child_process'), heavy.join(' '));
      },
    );

    test('with --pending-deprecation in NODE_OPTIONS, run prints no deprecation warning and still injects', async () => {
      const r = await lk(
        ['run', '--', NODE, '-e', 'process.stdout.write(String(process.env.DB_PASSWORD.length))'],
        {
          env: { NODE_OPTIONS: '--pending-deprecation' },
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, String(CANARY.length));
      assert.doesNotMatch(r.stderr, /Deprecation|process\.binding/);
    });

    test('no canary in anything latchkey itself printed, nor in the agent’s log', () => {
      assert.ok(mustBeClean.length > 20);
      for (const text of [...mustBeClean, agent.stderr()]) {
        assert.ok(!text.includes(CANARY), `canary in: ${text.slice(0, 200)}`);
        assert.ok(!text.includes(OTHER), `second value in: ${text.slice(0, 200)}`);
      }
    });
  });
}

import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SHELLS, type ShellKind } from '../../main/cli/shell/quote';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { CLI, runCli } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';
import { TmuxSession } from '../helpers/tmux';

const PW = 'shell hook test passphrase';
/** Quotes of both kinds, $, backticks, backslashes, !, a leading dash, unicode, newlines, a tab. */
const MULTI =
  '-n line1 \'single\' "double" $HOME `id` \\back\\slash !bang !! %s\nline2 ✓ 日本語\n\tindented\n';
const TOKEN = 'tok-CANARY-7d21';
const MINE = 'the value I had before';

const t = tempHome('latchkey-shell-');
const repo = join(t.dir, 'my repo'); // a space in the path, on purpose
const sub = join(repo, 'src', 'deep');
const outside = join(t.dir, 'outside');
const stranger = join(t.dir, 'stranger');
const out = join(t.dir, 'out');
const sock = join(t.dir, 'run', 'agent.sock');
const hungSock = join(t.dir, 'hung', 'agent.sock');
const SCHEMA = `project: app
variables:
  DB_PASSWORD: { ref: 'lk://app/{env}/db/password' }
  API_TOKEN: { ref: 'lk://app/{env}/api/token' }
  ONLY_IN_STAGING: { ref: 'lk://app/{env}/nothing/here', environments: [staging] }
`;

const cli = (args: string[], input = ''): ReturnType<typeof runCli> =>
  runCli(args, { home: t.home, input, env: { LATCHKEY_SOCK: sock } });

function parseEnv0(file: string): Map<string, Buffer> {
  const vars = new Map<string, Buffer>();
  const bytes = readFileSync(file);
  let at = 0;
  while (at < bytes.length) {
    let end = bytes.indexOf(0, at);
    if (end === -1) end = bytes.length;
    const entry = bytes.subarray(at, end);
    const eq = entry.indexOf(0x3d);
    vars.set(entry.subarray(0, eq).toString('latin1'), Buffer.from(entry.subarray(eq + 1)));
    at = end + 1;
  }
  return vars;
}

/** Stamp mtimes: the CLI touches its shell's stamp each time the hook calls it. */
function stamps(): string {
  const dir = join(t.home, 'shell');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .sort()
    .map((n) => `${n}:${statSync(join(dir, n)).mtimeMs}`)
    .join(',');
}

/** A real interactive shell in tmux with a clean rc, the hook eval'd as a user's rc file would. */
class Shell {
  readonly session: TmuxSession;
  #n = 0;

  constructor(readonly kind: ShellKind) {
    const command =
      kind === 'bash'
        ? 'bash --norc --noprofile -i'
        : kind === 'zsh'
          ? 'zsh -f -i'
          : 'fish --no-config --private -i';
    this.session = new TmuxSession(command, {
      HOME: t.dir,
      XDG_CONFIG_HOME: join(t.dir, 'config'),
      XDG_DATA_HOME: join(t.dir, 'data'),
      HISTFILE: '/dev/null',
      LATCHKEY_HOME: t.home,
      LATCHKEY_SOCK: sock,
      // A loaded test machine can delay the agent past the hook's default 30-80 ms; the test of
      // an agent that never answers puts the default back.
      LATCHKEY_HOOK_WAIT_MS: '5000',
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
    });
  }

  /** Types a command line, then a marker line; returns the screen lines the command produced. */
  async run(line: string): Promise<string[]> {
    const n = ++this.#n;
    if (line !== '') this.session.type(line);
    this.session.press('Enter');
    this.session.type(`echo MARK""-${n}`);
    this.session.press('Enter');
    const screen = await this.session.waitFor(new RegExp(`^MARK-${n}\\s*$`, 'm'));
    const lines = screen.split('\n');
    const at = lines.findIndex((l) => l.trimEnd() === `MARK-${n}`);
    const start = lines.findIndex((l) => l.trimEnd() === `MARK-${n - 1}`);
    return lines.slice(start + 1, at);
  }

  /**
   * The hook's lines among what a command produced. Input typed ahead while the hook runs is
   * echoed by the terminal, so a message may follow it on the same screen line.
   */
  static hookLines(lines: readonly string[]): string[] {
    return lines.flatMap((l) => {
      const at = l.indexOf('latchkey: ');
      return at === -1 ? [] : [l.slice(at).trimEnd()];
    });
  }

  /** The exported environment, read through `env -0` (exact bytes). */
  async env(): Promise<Map<string, Buffer>> {
    const file = join(out, `${this.kind}-env-${this.#n + 1}`);
    await this.run(`env -0 > '${file}'`);
    return parseEnv0(file);
  }

  /** A shell variable's value (exported or not), or undefined when unset. */
  async variable(name: string): Promise<Buffer | undefined> {
    const file = join(out, `${this.kind}-var-${name}-${this.#n + 1}`);
    const test =
      this.kind === 'fish'
        ? `if set -q ${name}; printf '%s' "$${name}" > '${file}'; end`
        : `if [ -n "\${${name}+x}" ]; then printf '%s' "$${name}" > '${file}'; fi`;
    await this.run(test);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  /** Milliseconds the hook took for a `cd` into `dir` (the hook runs inside the measured span). */
  async timedCd(dir: string): Promise<{ ms: number; lines: string[] }> {
    const file = join(out, `${this.kind}-time-${this.#n + 1}`);
    const line =
      this.kind === 'fish'
        ? `set s (date +%s%N); cd '${dir}'; set e (date +%s%N); math --scale=3 "($e - $s) / 1000000" > '${file}'`
        : this.kind === 'zsh'
          ? `s=$(date +%s%N); cd '${dir}'; e=$(date +%s%N); echo $(( (e - s) / 1000 )) > '${file}'`
          : // bash runs the hook from PROMPT_COMMAND, after the line: call it right there to time it.
            `s=$(date +%s%N); cd '${dir}'; __latchkey_hook; e=$(date +%s%N); echo $(( (e - s) / 1000 )) > '${file}'`;
    const lines = await this.run(line);
    const raw = Number(readFileSync(file, 'utf8').trim());
    return { ms: this.kind === 'fish' ? raw : raw / 1000, lines };
  }

  kill(): void {
    this.session.kill();
  }
}

function assertExported(env: Map<string, Buffer>): void {
  assert.ok(
    env.get('DB_PASSWORD')?.equals(Buffer.from(MULTI, 'utf8')),
    `DB_PASSWORD is ${env.get('DB_PASSWORD')?.toString('hex')}`,
  );
  assert.equal(env.get('API_TOKEN')?.toString('utf8'), TOKEN);
  assert.ok(!env.has('ONLY_IN_STAGING'));
}

function assertRestored(env: Map<string, Buffer>): void {
  assert.equal(env.get('API_TOKEN')?.toString('utf8'), MINE, 'the value the user had comes back');
  assert.ok(!env.has('DB_PASSWORD'), 'a variable the user did not have is unset');
}

let agent: AgentProcess;
let hung: Server;

before(async () => {
  for (const d of [sub, outside, join(stranger, 'sub'), out, join(t.dir, 'hung')])
    mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(join(repo, 'latchkey.yml'), SCHEMA);
  writeFileSync(join(stranger, 'latchkey.yml'), SCHEMA);
  assert.equal((await cli(['init', '--password-stdin', '--kdf-target-ms', '1'], `${PW}\n`)).status, 0);
  const set1 = await cli(
    ['set', 'lk://app/development/db/password', '--password-stdin'],
    `${PW}\n${MULTI}\n`,
  );
  assert.equal(set1.status, 0, set1.stderr);
  assert.equal(
    (await cli(['set', 'lk://app/development/api/token', '--password-stdin'], `${PW}\n${TOKEN}\n`)).status,
    0,
  );
  const allowed = await cli(['allow', repo]);
  assert.equal(allowed.status, 0, allowed.stderr);
  agent = await startAgent(t.home, sock, [], PW);
  // An "agent" that accepts connections, reads what it is sent and never answers.
  hung = createServer((s) => s.resume().on('error', () => undefined));
  await new Promise<void>((r) => hung.listen(hungSock, r));
});

after(async () => {
  await agent?.stop();
  await new Promise<void>((r) => (hung ? hung.close(() => r()) : r()));
  t.cleanup();
});

for (const kind of SHELLS) {
  describe(`the shell hook in a real ${kind} (tmux)`, () => {
    let sh: Shell;
    const schemaPath = join(repo, 'latchkey.yml');

    before(async () => {
      sh = new Shell(kind);
      // An rc file: the user's own variable, then the hook.
      if (kind === 'fish') {
        await sh.run(`set -gx API_TOKEN '${MINE}'`);
        await sh.run(`${process.execPath} ${CLI} shell-hook fish | source`);
      } else {
        await sh.run(`export API_TOKEN='${MINE}'`);
        if (kind === 'bash') await sh.run(`PROMPT_COMMAND='touch "${join(out, 'bash-pc-ran')}"'`);
        await sh.run(`eval "$(${process.execPath} ${CLI} shell-hook ${kind})"`);
      }
      await sh.run(`cd '${outside}'`);
      // Every test starts from a schema the user allowed and an unlocked agent.
      writeFileSync(schemaPath, SCHEMA);
      assert.equal((await cli(['allow', repo])).status, 0);
    });
    after(() => sh?.kill());

    test('entering an allowed repo exports its variables, every byte exact, with one line saying so', async () => {
      const lines = await sh.run(`cd '${repo}'`);
      assert.deepEqual(
        Shell.hookLines(lines).map((l) => l.replace(/\s+$/, '')),
        ['latchkey: exported DB_PASSWORD, API_TOKEN (app/development)'],
      );
      assertExported(await sh.env());
    });

    test('moving around inside the repo and pressing Enter never start latchkey', async (ctx) => {
      const before = stamps();
      await sh.run(`cd '${sub}'`);
      await sh.run('true');
      await sh.run(`cd '${repo}'`);
      await sh.run('');
      // What every prompt pays when nothing changed: 100 calls of the hook, timed.
      const file = join(out, `${kind}-per-prompt`);
      await sh.run(
        kind === 'fish'
          ? `set s (date +%s%N); for i in (seq 100); __latchkey_hook; end; set e (date +%s%N); math --scale=1 "($e - $s) / 100000" > '${file}'`
          : `s=$(date +%s%N); for i in {1..100}; do __latchkey_hook; done; e=$(date +%s%N); echo $(( (e - s) / 100000 )) > '${file}'`,
      );
      const perPrompt = Number(readFileSync(file, 'utf8').trim());
      ctx.diagnostic(`${kind}: ${perPrompt} µs per prompt when nothing changed`);
      assert.ok(perPrompt < 5000, `${perPrompt} µs`);
      assert.equal(stamps(), before, 'the CLI ran (it touches its stamp every time)');
      assertExported(await sh.env());
    });

    test('leaving the repo restores: a variable you had gets its value back, the others are unset', async () => {
      const lines = await sh.run(`cd '${outside}'`);
      assert.deepEqual(Shell.hookLines(lines), []);
      assertRestored(await sh.env());
      assert.equal(await sh.variable('DB_PASSWORD'), undefined);
    });

    test('a variable you had but had not exported comes back unexported', async () => {
      await sh.run(kind === 'fish' ? "set -g DB_PASSWORD 'shell only'" : "DB_PASSWORD='shell only'");
      await sh.run(`cd '${repo}'`);
      assertExported(await sh.env());
      await sh.run(`cd '${outside}'`);
      assert.equal((await sh.variable('DB_PASSWORD'))?.toString(), 'shell only');
      assert.ok(!(await sh.env()).has('DB_PASSWORD'), 'it stayed out of the environment');
      await sh.run(kind === 'fish' ? 'set -e DB_PASSWORD' : 'unset DB_PASSWORD');
    });

    test('re-entering exports again', async () => {
      await sh.run(`cd '${sub}'`);
      assertExported(await sh.env());
      await sh.run(`cd '${outside}'`);
      assertRestored(await sh.env());
    });

    test('a changed latchkey.yml exports nothing and says so in one line', async () => {
      appendFileSync(schemaPath, '# an edit\n');
      const lines = await sh.run(`cd '${repo}'`);
      const hook = Shell.hookLines(lines);
      assert.equal(hook.length, 1, lines.join('\n'));
      assert.match(hook[0]!, /changed since you allowed it; nothing exported — run 'latchkey allow'/);
      assertRestored(await sh.env());
    });

    test("'latchkey allow' again exports at the next prompt, without a cd", async () => {
      const lines = await sh.run(`${process.execPath} ${CLI} allow > /dev/null`);
      assert.deepEqual(Shell.hookLines(lines), [
        'latchkey: exported DB_PASSWORD, API_TOKEN (app/development)',
      ]);
      assertExported(await sh.env());
    });

    test('editing the schema while inside the repo stops exporting at the next prompt', async () => {
      appendFileSync(schemaPath, '# another edit\n');
      const lines = await sh.run('true');
      assert.match(Shell.hookLines(lines).join('\n'), /changed since you allowed it/);
      assertRestored(await sh.env());
      assert.equal((await cli(['allow', repo])).status, 0);
      await sh.run('true');
      assertExported(await sh.env());
    });

    test('a repo that was never allowed exports nothing and shows one hint', async () => {
      const lines = await sh.run(`cd '${stranger}'`);
      const hook = Shell.hookLines(lines);
      assert.equal(hook.length, 1, lines.join('\n'));
      assert.match(hook[0]!, /is not allowed; run 'latchkey allow'/);
      assertRestored(await sh.env());
      // Moving around inside it repeats nothing.
      assert.deepEqual(Shell.hookLines(await sh.run(`cd '${join(stranger, 'sub')}'; cd '${stranger}'`)), []);
      await sh.run(`cd '${outside}'`);
    });

    test('with the vault locked: one short line, the prompt back quickly, no password asked', async (ctx) => {
      assert.equal((await cli(['lock'])).status, 0);
      const { ms, lines } = await sh.timedCd(repo);
      const hook = Shell.hookLines(lines);
      assert.deepEqual(
        hook.map((l) => l.trimEnd()),
        ["latchkey: vault locked — run 'latchkey unlock'"],
      );
      assert.ok(ms < 1000, `the hook took ${ms} ms`);
      assert.ok(!/password/i.test(lines.join('\n')));
      assertRestored(await sh.env());
      // Unlocking is noticed at the next prompt (the agent's unlock appends to the audit log).
      assert.equal((await cli(['unlock', '--password-stdin'], `${PW}\n`)).status, 0);
      await sh.run('true');
      assertExported(await sh.env());
      const leave = await sh.timedCd(outside);
      const enter = await sh.timedCd(repo);

      assertExported(await sh.env());
      ctx.diagnostic(
        `${kind}: hook ${ms.toFixed(1)} ms locked, ${enter.ms.toFixed(1)} ms entering (unlocked), ${leave.ms.toFixed(1)} ms leaving`,
      );
    });

    test('with no agent, or one that never answers: one line, quickly, never a password prompt', async (ctx) => {
      const setSock = (p: string): string =>
        kind === 'fish' ? `set -gx LATCHKEY_SOCK '${p}'` : `export LATCHKEY_SOCK='${p}'`;
      const setWait = (ms: string | undefined): string =>
        ms === undefined
          ? kind === 'fish'
            ? 'set -e LATCHKEY_HOOK_WAIT_MS'
            : 'unset LATCHKEY_HOOK_WAIT_MS'
          : kind === 'fish'
            ? `set -gx LATCHKEY_HOOK_WAIT_MS ${ms}`
            : `export LATCHKEY_HOOK_WAIT_MS=${ms}`;
      try {
        await sh.run(`cd '${outside}'`);
        await sh.run(setSock(join(t.dir, 'nowhere', 'agent.sock')));
        const absent = await sh.timedCd(repo);
        assert.deepEqual(Shell.hookLines(absent.lines), [
          "latchkey: no agent running — start 'latchkey agent' (the shell hook never asks for a password)",
        ]);
        assert.ok(absent.ms < 1000, `the hook took ${absent.ms} ms`);
        assertRestored(await sh.env());
        await sh.run(`cd '${outside}'`);
        await sh.run(setSock(hungSock));
        await sh.run(setWait(undefined)); // the hook's own default wait
        const silent = await sh.timedCd(repo);
        assert.deepEqual(Shell.hookLines(silent.lines), [
          'latchkey: the agent did not answer in time; nothing exported (cd out and back in to retry)',
        ]);
        assert.ok(silent.ms < 1000, `the hook took ${silent.ms} ms`);
        assert.deepEqual(Shell.hookLines(await sh.run('true')), [], 'said once');
        assertRestored(await sh.env());
        ctx.diagnostic(
          `${kind}: hook ${absent.ms.toFixed(1)} ms with no agent, ${silent.ms.toFixed(1)} ms with an agent that never answers`,
        );
      } finally {
        await sh.run(`cd '${outside}'`);
        await sh.run(setSock(sock));
        await sh.run(setWait('5000'));
      }
    });

    test('a repo nested in an allowed one is its own repo', async () => {
      const nested = join(sub, 'nested');
      mkdirSync(nested, { recursive: true });
      writeFileSync(join(nested, '.latchkey.yml'), 'project: app\nvariables: {}\n');
      try {
        await sh.run(`cd '${sub}'`);
        assertExported(await sh.env());
        const lines = await sh.run(`cd '${nested}'`);
        assert.match(Shell.hookLines(lines).join('\n'), /is not allowed/);
        assertRestored(await sh.env());
      } finally {
        rmSync(nested, { recursive: true, force: true });
        await sh.run(`cd '${outside}'`);
      }
    });

    if (kind === 'bash') {
      test('bash: an existing PROMPT_COMMAND keeps running and $? survives the hook', async () => {
        rmSync(join(out, 'bash-pc-ran'), { force: true });
        const file = join(out, 'bash-status');
        // Two lines typed back to back: the prompt (and the hook) comes between them.
        await sh.run(`cd '${repo}'; false\necho "$?" > '${file}'; cd '${outside}'`);
        assert.ok(existsSync(join(out, 'bash-pc-ran')));
        // `false` set 1; the hook ran (and started latchkey) before the next prompt and left it alone.
        assert.equal(readFileSync(file, 'utf8').trim(), '1');
      });

      test("bash: 'latchkey deny' stops exporting at the next prompt and restores", async () => {
        await sh.run(`cd '${repo}'`);
        assertExported(await sh.env());
        const lines = await sh.run(`${process.execPath} ${CLI} deny > /dev/null`);
        assert.match(Shell.hookLines(lines).join('\n'), /is not allowed/);
        assertRestored(await sh.env());
        assert.equal((await cli(['allow', repo])).status, 0);
        await sh.run(`cd '${outside}'`);
      });
    }
  });
}

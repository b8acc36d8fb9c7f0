import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { CLI, runCli } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';
import { TmuxSession } from '../helpers/tmux';

const PW = 'terminal run passphrase';
const CANARY = 'CANARY-tty-6c0e2d';

/** `latchkey run` on a real terminal (tmux), started the way a person does: the launcher itself. */
describe('latchkey run on a terminal', () => {
  const t = tempHome('latchkey-run-tty-');
  const sock = join(t.dir, 'run', 'agent.sock');
  const repo = join(t.dir, 'repo');
  const sessions: TmuxSession[] = [];
  let agent: AgentProcess;

  const open = (args: string): TmuxSession => {
    const s = new TmuxSession(`cd ${repo} && ${CLI} ${args}; echo "EXIT=$?"; sleep 60`, {
      LATCHKEY_HOME: t.home,
      LATCHKEY_SOCK: sock,
    });
    sessions.push(s);
    return s;
  };
  /** The screen with its colours (escape sequences) kept. */
  const colours = (s: TmuxSession): string =>
    execFileSync('tmux', ['-L', s.name, 'capture-pane', '-p', '-e', '-t', s.name]).toString();

  before(async () => {
    const cli = (args: string[], input: string) =>
      runCli(args, { home: t.home, input, env: { LATCHKEY_SOCK: sock } });
    assert.equal((await cli(['init', '--password-stdin', '--kdf-target-ms', '1'], `${PW}\n`)).status, 0);
    assert.equal(
      (await cli(['set', 'lk://tty/development/db/password', '--password-stdin'], `${PW}\n${CANARY}\n`))
        .status,
      0,
    );
    agent = await startAgent(t.home, sock, [], PW);
    mkdirSync(repo);
    writeFileSync(
      join(repo, 'latchkey.yml'),
      "project: tty\nvariables:\n  DB_PASSWORD: { ref: 'lk://tty/{env}/db/password' }\n",
    );
    writeFileSync(
      join(repo, 'show.sh'),
      [
        'printf \'\\033[31mred\\033[0m value=%s\\n\' "$DB_PASSWORD"',
        '[ -t 0 ] && echo stdin-is-a-terminal',
        '[ -t 1 ] && echo stdout-is-a-terminal || echo stdout-is-a-pipe',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(repo, 'ctrl-c.js'),
      `let n = 0;
       process.on('SIGINT', () => { if (n++ === 0) setTimeout(() => { console.log('SIGINT x' + n); process.exit(0); }, 500); });
       console.log('waiting for ctrl-c');
       setTimeout(() => process.exit(9), 20000);`,
    );
  });

  after(async () => {
    sessions.forEach((s) => s.kill());
    await agent.stop();
    t.cleanup();
  });

  test('output to a terminal is the command’s own: colours kept, the value unmasked, stdin and stdout are the terminal', async () => {
    const s = open('run -- /bin/sh show.sh');
    const screen = await s.waitFor(/EXIT=\d+/);
    assert.match(screen, /EXIT=0/);
    assert.match(screen, new RegExp(`red value=${CANARY}`));
    assert.match(screen, /stdin-is-a-terminal/);
    assert.match(screen, /stdout-is-a-terminal/);
    assert.ok(
      colours(s).includes(`\u001b[31mred\u001b[39m value=${CANARY}`) ||
        colours(s).includes(`\u001b[31mred\u001b[0m value=${CANARY}`),
      colours(s),
    );
  });

  test('--mask masks even on a terminal (the command then writes to a pipe)', async () => {
    const s = open('run --mask -- /bin/sh show.sh');
    const screen = await s.waitFor(/EXIT=\d+/);
    assert.match(screen, /red value=<redacted:DB_PASSWORD>/);
    assert.match(screen, /stdout-is-a-pipe/);
    assert.match(screen, /stdin-is-a-terminal/);
    assert.ok(!screen.includes(CANARY));
  });

  test('Ctrl-C reaches the command once, not twice', async () => {
    const s = open(`run -- ${process.execPath} ctrl-c.js`);
    await s.waitFor(/waiting for ctrl-c/);
    s.press('C-c');
    const screen = await s.waitFor(/EXIT=\d+/);
    assert.match(screen, /SIGINT x1\n/);
    assert.match(screen, /EXIT=0/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeFrame, FrameDecoder, parseFrameBody } from '../../main/core/agent/frames';
import { writeAllowList } from '../../main/cli/shell/allow-list';
import { agentWaitMs, fitEnvironment, hookExport, type HookRequest } from '../../main/cli/shell/hook-export';
import { hookScript } from '../../main/cli/shell/hook-script';
import { identifySchema } from '../../main/cli/shell/schema-identity';

/** A stand-in agent speaking the real framing: hello says locked or not; resolve answers from a table. */
class FakeAgent {
  locked = false;
  values: Record<string, string> = {};
  requests: Record<string, unknown>[] = [];
  readonly server: Server;

  constructor(readonly path: string) {
    this.server = createServer((socket) => {
      const decoder = new FrameDecoder();
      socket.on('data', (chunk: Buffer) => {
        for (const body of decoder.push(chunk)) {
          const request = parseFrameBody(body);
          this.requests.push(request);
          const params = (request.params ?? {}) as { refs?: string[] };
          const reply =
            request.method === 'hello'
              ? { id: request.id, ok: true, result: { protocol: 1, locked: this.locked } }
              : this.locked
                ? { id: request.id, ok: false, error: { code: 'LOCKED', message: 'locked' } }
                : {
                    id: request.id,
                    ok: true,
                    result: {
                      values: Object.fromEntries(
                        (params.refs ?? []).filter((r) => r in this.values).map((r) => [r, this.values[r]]),
                      ),
                      missing: (params.refs ?? []).filter((r) => !(r in this.values)),
                      changedAt: {},
                    },
                  };
          socket.write(encodeFrame(reply));
        }
      });
      socket.on('error', () => undefined);
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, r));
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const root = mkdtempSync(join(tmpdir(), 'latchkey-hookexport-'));
const home = join(root, 'home');
const repo = join(root, 'repo');
const schemaPath = join(repo, 'latchkey.yml');
const sock = join(root, 'run', 'agent.sock');
// A generous wait: a loaded test machine must not turn a healthy agent into a slow one.
const env = { LATCHKEY_HOME: home, LATCHKEY_SOCK: sock, LATCHKEY_HOOK_WAIT_MS: '5000' };
const agent = new FakeAgent(sock);

const ask = (state = '', extra: Partial<HookRequest> = {}): ReturnType<typeof hookExport> =>
  hookExport({ shell: 'bash', dir: repo, state, pid: '4242', env, ...extra });

/** The state the answer sets, as bash would see it. */
function stateOf(code: string): string {
  const m = /^__latchkey_state=(.*)$/m.exec(code);
  if (!m) return '';
  return execFileSync('bash', ['-c', `s=${m[1]}; printf '%s' "$s"`], { encoding: 'utf8' });
}

async function allow(variables: { name: string; ref: string; required: boolean }[]): Promise<void> {
  const id = identifySchema(schemaPath);
  await writeAllowList(env, [
    {
      path: id.key,
      hash: id.hash,
      allowedAt: new Date().toISOString(),
      project: 'app',
      environment: 'development',
      variables,
    },
  ]);
}

before(async () => {
  mkdirSync(repo, { recursive: true });
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(join(root, 'run'), { mode: 0o700 });
  writeFileSync(schemaPath, 'project: app\nvariables: {}\n');
  await agent.listen();
});
after(async () => {
  await agent.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the hook’s answer after a directory change', () => {
  test('outside any repo: nothing to do and nothing said', async () => {
    const answer = await hookExport({ shell: 'bash', dir: '/', state: '', pid: '4242', env });
    assert.equal(answer.message, undefined);
    assert.ok(!answer.code.includes('__latchkey_restore'));
  });

  test('a repo never allowed: one hint, and asking again with the same state says nothing', async () => {
    const first = await ask();
    assert.match(first.message!, /^latchkey: .*latchkey\.yml is not allowed; run 'latchkey allow'/);
    assert.ok(first.code.includes('__latchkey_restore'));
    const again = await ask(stateOf(first.code));
    assert.equal(again.message, undefined);
    assert.ok(!again.code.includes('__latchkey_restore'));
    assert.match(again.code, /^__latchkey_watch=\(/m);
  });

  test('allowed: values come from the agent as __latchkey_set lines, each quoted, with one line naming them', async () => {
    await allow([
      { name: 'DB_PASSWORD', ref: 'lk://app/development/db/password', required: true },
      { name: 'API_TOKEN', ref: 'lk://app/development/api/token', required: true },
      { name: 'MAYBE', ref: 'lk://app/development/maybe/x', required: false },
    ]);
    agent.values = {
      'lk://app/development/db/password': "it's\n$x",
      'lk://app/development/api/token': 'tok',
    };
    agent.requests = [];
    const answer = await ask();
    assert.equal(answer.message, 'latchkey: exported DB_PASSWORD, API_TOKEN (app/development)');
    assert.ok(
      answer.code.includes("__latchkey_set DB_PASSWORD $'it\\x27s\\n$x'\n__latchkey_set API_TOKEN $'tok'\n"),
    );
    const resolve = agent.requests.find((r) => r.method === 'resolve')!;
    assert.deepEqual((resolve.params as { caller: unknown }).caller, { via: 'shell', cwd: repo });
    // Asked again with the state it set: no fetch, no change.
    agent.requests = [];
    const again = await ask(stateOf(answer.code));
    assert.equal(again.message, undefined);
    assert.deepEqual(agent.requests, []);
  });

  test('the answer evals in bash with the hook’s functions and sets the exact values', async () => {
    const answer = await ask();
    const out = execFileSync(
      'bash',
      [
        '--norc',
        '-c',
        `${hookScript('bash', ['false'])}\n${answer.code}\nprintf '%s|%s' "$DB_PASSWORD" "$API_TOKEN"`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(out, "it's\n$x|tok");
  });

  test('a missing required value and a NUL byte are named in the same one line; the rest is exported', async () => {
    await allow([
      { name: 'GONE', ref: 'lk://app/development/gone/x', required: true },
      { name: 'HAS_NUL', ref: 'lk://app/development/nul/x', required: true },
      { name: 'FINE', ref: 'lk://app/development/fine/x', required: true },
    ]);
    agent.values = { 'lk://app/development/nul/x': 'a\0b', 'lk://app/development/fine/x': 'ok' };
    const answer = await ask();
    assert.equal(
      answer.message,
      'latchkey: exported FINE (app/development); your vault lacks lk://app/development/gone/x for GONE; not exported: HAS_NUL holds a NUL byte',
    );
    assert.ok(!answer.code.includes('HAS_NUL') && !answer.code.includes('GONE'));
  });

  test('no variable can make the environment too big for exec: 128 KiB each, 512 KiB in all', () => {
    const v = (name: string): { name: string; ref: string } => ({
      name,
      ref: `lk://app/development/${name}/x`,
    });
    const values = {
      'lk://app/development/BIG/x': 'x'.repeat(128 * 1024),
      'lk://app/development/A/x': 'a'.repeat(120 * 1024),
      'lk://app/development/B/x': 'b'.repeat(120 * 1024),
      'lk://app/development/C/x': 'c'.repeat(120 * 1024),
      'lk://app/development/D/x': 'd'.repeat(120 * 1024),
      'lk://app/development/E/x': 'e'.repeat(120 * 1024),
      'lk://app/development/F/x': 'f',
    };
    const { sets, problems } = fitEnvironment(['BIG', 'A', 'B', 'C', 'D', 'E', 'F'].map(v), values);
    assert.deepEqual(
      sets.map(([n]) => n),
      ['A', 'B', 'C', 'D', 'F'],
    );
    assert.deepEqual(problems, ['BIG is larger than 128 KiB', 'E would take the environment past 512 KiB']);
  });

  test('a locked agent: one line, no values, and the audit log joins the watched files', async () => {
    agent.locked = true;
    try {
      const answer = await ask();
      assert.equal(answer.message, "latchkey: vault locked — run 'latchkey unlock'");
      assert.ok(!answer.code.includes('__latchkey_set'));
      assert.ok(answer.code.includes(join(home, 'audit.log')));
    } finally {
      agent.locked = false;
    }
  });

  test('no agent: one line, and nothing ever asks for a password', async () => {
    const answer = await ask('', { env: { ...env, LATCHKEY_SOCK: join(root, 'run', 'none.sock') } });
    assert.match(
      answer.message!,
      /^latchkey: no agent running — start 'latchkey agent' \(the shell hook never asks for a password\)$/,
    );
    const off = await ask('', { env: { ...env, LATCHKEY_NO_AGENT: '1' } });
    assert.match(off.message!, /no agent running/);
  });

  test('a changed schema: one line, nothing fetched', async () => {
    writeFileSync(schemaPath, 'project: app\nvariables: {}\n# changed\n');
    agent.requests = [];
    const answer = await ask();
    assert.match(
      answer.message!,
      /latchkey\.yml changed since you allowed it; nothing exported — run 'latchkey allow' to review it again$/,
    );
    assert.deepEqual(agent.requests, []);
    writeFileSync(schemaPath, 'project: app\nvariables: {}\n');
  });

  test('a broken allow list or a symlinked schema is one line with its code, never a crash', async () => {
    writeFileSync(join(home, 'allowed.json'), '{ nope', { mode: 0o600 });
    const broken = await ask();
    assert.match(broken.message!, /^latchkey: STORAGE_FAILED: .*allowed\.json is not a valid allow list/);
    rmSync(join(home, 'allowed.json'));
    const linked = join(root, 'linked');
    mkdirSync(linked);
    symlinkSync(schemaPath, join(linked, 'latchkey.yml'));
    const answer = await ask('', { dir: linked });
    assert.match(answer.message!, /^latchkey: UNSAFE_PATH: .*is a symbolic link/);
  });

  test('an agent that never answers: one line within the wait, then quiet until the next cd', async () => {
    const hungPath = join(root, 'run', 'hung.sock');
    const hung = createServer((s) => s.resume().on('error', () => undefined));
    await new Promise<void>((r) => hung.listen(hungPath, r));
    try {
      await allow([{ name: 'FINE', ref: 'lk://app/development/fine/x', required: true }]);
      const slowEnv = { ...env, LATCHKEY_SOCK: hungPath, LATCHKEY_HOOK_WAIT_MS: '50' };
      const started = Date.now();
      const first = await ask('', { env: slowEnv });
      assert.ok(Date.now() - started < 1000);
      assert.equal(
        first.message,
        'latchkey: the agent did not answer in time; nothing exported (cd out and back in to retry)',
      );
      assert.ok(!first.code.includes('__latchkey_set'));
      assert.equal((await ask(stateOf(first.code), { env: slowEnv })).message, undefined);
    } finally {
      await new Promise<void>((r) => hung.close(() => r()));
    }
  });

  test('the wait for the agent: until 75 ms after start, at least 25 ms, or LATCHKEY_HOOK_WAIT_MS', () => {
    assert.equal(agentWaitMs({}, 45), 30);
    assert.equal(agentWaitMs({}, 200), 25);
    assert.equal(agentWaitMs({ LATCHKEY_HOOK_WAIT_MS: '500' }, 200), 500);
    for (const bad of ['0', '-5', 'abc', '1e9', '2.5'])
      assert.equal(agentWaitMs({ LATCHKEY_HOOK_WAIT_MS: bad }, 45), 30, bad);
  });

  test('the stamp is touched in a private directory of the data directory', async () => {
    await ask();
    assert.equal(readFileSync(join(home, 'shell', '4242.stamp')).length, 0);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentClient } from '../../main/core/agent/client';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { runCli, type CliResult } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const PW = 'agent test passphrase';
const CANARY = 'CANARY-agent-5e1f9a';

/** Sends raw bytes on a fresh connection and returns what the agent answers before closing. */
function rawExchange(
  sock: string,
  bytes: Buffer[],
  pauseMs = 0,
): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s: Socket = connect(sock);
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('close', () => resolve({ reply: Buffer.concat(got).toString('utf8'), closed: true }));
    s.on('error', () => undefined);
    s.once('connect', () => {
      void (async () => {
        for (const b of bytes) {
          s.write(b);
          if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        }
      })();
    });
    setTimeout(() => {
      s.destroy();
      resolve({ reply: Buffer.concat(got).toString('utf8'), closed: false });
    }, 5000).unref();
  });
}

function frame(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

const HELLO = frame('{"id":1,"method":"hello","params":{"protocol":1}}');

describe('the agent socket', () => {
  const t = tempHome('latchkey-agent-');
  const sock = join(t.dir, 'run', 'agent.sock');
  let agent: AgentProcess;
  const outputs: string[] = [];
  const cli = async (args: string[], input = ''): Promise<CliResult> => {
    const r = await runCli(args, { home: t.home, input, env: { LATCHKEY_SOCK: sock } });
    outputs.push(r.stdout.toString(), r.stderr);
    return r;
  };

  before(async () => {
    assert.equal((await cli(['init', '--password-stdin', '--kdf-target-ms', '1'], `${PW}\n`)).status, 0);
    assert.equal(
      (await cli(['set', 'lk://app/development/db/password', '--password-stdin'], `${PW}\n${CANARY}\n`))
        .status,
      0,
    );
    agent = await startAgent(t.home, sock, [], PW);
  });
  after(async () => {
    await agent.stop();
    t.cleanup();
  });

  test('the socket is 0600 inside a 0700 directory', () => {
    assert.equal(statSync(join(t.dir, 'run')).mode & 0o777, 0o700);
    assert.equal(statSync(sock).mode & 0o777, 0o600);
  });

  test('the agent made itself non-dumpable (no core dumps, no same-user ptrace)', () => {
    assert.ok(!agent.stderr().includes('could not disable core dumps'));
  });

  test('get goes through the unlocked agent without asking for a password', async () => {
    const r = await cli(['get', 'lk://app/development/db/password']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString(), CANARY);
  });

  test('ls and status go through the agent too, without a password', async () => {
    const ls = await cli(['ls', '--json']);
    assert.equal(ls.status, 0, ls.stderr);
    assert.deepEqual(
      (JSON.parse(ls.stdout.toString()) as { ref: string }[]).map((r) => r.ref),
      ['lk://app/development/db'],
    );
    assert.ok(!ls.stdout.toString().includes(CANARY));
    const st = await cli(['status']);
    assert.match(st.stdout.toString(), /mode\s+agent at .*agent\.sock, unlocked/);
  });

  test('a change made in direct mode while the agent holds the vault is served at once', async () => {
    const set = await cli(
      ['set', 'lk://app/development/late/token', '--password-stdin'],
      `${PW}\nadded-directly\n`,
    );
    assert.equal(set.status, 0, set.stderr);
    const g = await cli(['get', 'lk://app/development/late/token']);
    assert.equal(g.status, 0, g.stderr);
    assert.equal(g.stdout.toString(), 'added-directly');
  });

  test('a second agent on the same socket is refused and the first keeps serving', async () => {
    await assert.rejects(startAgent(t.home, sock, [], PW), /AGENT_RUNNING/);
    assert.equal((await cli(['get', 'lk://app/development/db/password'])).stdout.toString(), CANARY);
  });

  test('every malformed frame closes that connection with a protocol error and harms nothing else', async () => {
    const cases: [string, Buffer[]][] = [
      ['zero length', [Buffer.from([0, 0, 0, 0])]],
      ['oversized length', [Buffer.from([0x7f, 0xff, 0xff, 0xff])]],
      [
        'invalid UTF-8',
        [frame('{"id":1}').subarray(0, 4), Buffer.from([0xc3, 0x28, 0x22, 0x7d, 0x7b, 0x22, 0x22, 0x7d])],
      ],
      ['invalid JSON', [frame('{"id":1,')]],
      ['not an object', [frame('[1,2,3]')]],
      [
        'prototype pollution',
        [frame('{"id":1,"method":"hello","params":{"__proto__":{"x":1},"protocol":1}}')],
      ],
      ['constructor key', [frame('{"id":1,"method":"hello","params":{"constructor":{"prototype":{}}}}')]],
      ['deep nesting', [frame(`{"id":1,"method":"hello","params":${'{"a":'.repeat(50)}1${'}'.repeat(50)}}`)]],
      [
        'no hello first',
        [frame('{"id":1,"method":"resolve","params":{"refs":["lk://app/development/db/password"]}}')],
      ],
      ['unknown method', [HELLO, frame('{"id":2,"method":"dump_everything","params":{}}')]],
      ['no id', [frame('{"method":"hello","params":{"protocol":1}}')]],
      [
        'wrong protocol version',
        [frame('{"id":1,"method":"hello","params":{"protocol":99}}'), frame('{"id":2,"method":"status"}')],
      ],
    ];
    for (const [name, bytes] of cases) {
      const { reply, closed } = await rawExchange(sock, bytes);
      assert.ok(closed, `${name}: connection left open`);
      assert.match(reply, /PROTOCOL_ERROR/, name);
      assert.ok(!reply.includes(CANARY), name);
    }
    assert.equal((await cli(['get', 'lk://app/development/db/password'])).stdout.toString(), CANARY);
  });

  test('requests sent right behind the hello, in the same write, are answered in order', async () => {
    const replies = await new Promise<
      { id: unknown; ok: unknown; result?: { values?: Record<string, string> } }[]
    >((resolve, reject) => {
      const s = connect(sock);
      let buffer = Buffer.alloc(0);
      const got: { id: unknown; ok: unknown }[] = [];
      s.on('error', reject);
      s.on('data', (d: Buffer) => {
        buffer = Buffer.concat([buffer, d]);
        while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
          got.push(
            JSON.parse(buffer.subarray(4, 4 + buffer.readUInt32BE(0)).toString('utf8')) as {
              id: unknown;
              ok: unknown;
            },
          );
          buffer = buffer.subarray(4 + buffer.readUInt32BE(0));
        }
        if (got.length === 3) {
          s.destroy();
          resolve(got);
        }
      });
      s.once('connect', () =>
        s.write(
          Buffer.concat([
            HELLO,
            frame('{"id":2,"method":"resolve","params":{"refs":["lk://app/development/db/password"]}}'),
            frame('{"id":3,"method":"status"}'),
          ]),
        ),
      );
    });
    assert.deepEqual(
      replies.map((r) => [r.id, r.ok]),
      [
        [1, true],
        [2, true],
        [3, true],
      ],
    );
    assert.equal(replies[1]!.result?.values?.['lk://app/development/db/password'], CANARY);
  });

  test('a request sent behind a refused hello is not answered: the connection closes', async () => {
    const { reply, closed } = await rawExchange(sock, [
      Buffer.concat([
        frame('{"id":1,"method":"hello","params":{"protocol":99}}'),
        frame('{"id":2,"method":"resolve","params":{"refs":["lk://app/development/db/password"]}}'),
      ]),
    ]);
    assert.ok(closed);
    assert.match(reply, /"id":1,"ok":false/);
    assert.match(reply, /the hello was refused/);
    assert.ok(!reply.includes('"id":2'));
    assert.ok(!reply.includes(CANARY));
  });

  test('a slow drip (half a frame, then silence) is cut off', async () => {
    const f = frame('{"id":1,"method":"hello","params":{"protocol":1}}');
    const started = Date.now();
    const { reply, closed } = await rawExchange(sock, [f.subarray(0, 10)]);
    assert.ok(closed);
    assert.match(reply, /did not arrive in time/);
    assert.ok(Date.now() - started < 4900);
  });

  test('production and unknown environments are refused before any lookup, whatever the spelling', async () => {
    const client = await AgentClient.connect(sock);
    try {
      for (const env of [
        'prod',
        'PROD',
        'Production',
        'prod-eu',
        'eu-prod',
        'prd',
        'live',
        'pr0d',
        'ｐｒｏｄ',
        'рrod',
        'pro\u200bd',
      ]) {
        await assert.rejects(
          client.call('resolve', { refs: [`lk://app/${env}/db/password`] }),
          { code: 'PRODUCTION_REFUSED' },
          env,
        );
      }
      await assert.rejects(client.call('resolve', { refs: ['lk://app/qa/db/password'] }), {
        code: 'UNKNOWN_ENVIRONMENT',
      });
      // A mix is refused whole: no value leaks beside the refusal.
      await assert.rejects(
        client.call('resolve', {
          refs: ['lk://app/development/db/password', 'lk://app/production/db/password'],
        }),
        { code: 'PRODUCTION_REFUSED' },
      );
    } finally {
      client.close();
    }
  });

  test('500 concurrent clients are all served', async () => {
    const clients = await Promise.all(Array.from({ length: 500 }, () => AgentClient.connect(sock, 10_000)));
    try {
      const results = await Promise.all(
        clients.map(
          (c) =>
            c.call('resolve', { refs: ['lk://app/development/db/password'] }) as Promise<{
              values: Record<string, string>;
            }>,
        ),
      );
      assert.ok(results.every((r) => r.values['lk://app/development/db/password'] === CANARY));
    } finally {
      clients.forEach((c) => c.close());
    }
  });

  test(
    'a connection from another uid is closed before a byte is read',
    { skip: process.getuid?.() !== 0 && 'needs root to run a client as nobody' },
    async () => {
      // Let `nobody` reach the socket file so that only the kernel's peer check stands in the way.
      chmodSync(join(t.dir, 'run'), 0o711);
      chmodSync(sock, 0o666);
      try {
        const script = join(t.dir, 'foreign.js');
        writeFileSync(
          script,
          `const s=require('net').connect(${JSON.stringify(sock)});let got='';` +
            `s.on('connect',()=>s.write(${JSON.stringify(HELLO.toString('latin1'))},'latin1'));` +
            `let done=false;const out=o=>{if(!done){done=true;process.stdout.write(JSON.stringify(o));}};` +
            `s.on('data',d=>got+=d);s.on('close',()=>out({got}));s.on('error',e=>out({got,error:e.code}));`,
        );
        chmodSync(script, 0o644);
        chmodSync(t.dir, 0o711);
        const out = await new Promise<string>((resolve) => {
          const child = spawn(process.execPath, [script], {
            uid: 65534,
            gid: 65534,
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let o = '';
          child.stdout.on('data', (d: Buffer) => (o += d.toString()));
          child.on('close', () => resolve(o));
        });
        const result = JSON.parse(out) as { got?: string; error?: string };
        assert.equal(result.got ?? '', '', 'the foreign peer got an answer');
        assert.match(agent.stderr(), /refused a connection from uid 65534/);
      } finally {
        chmodSync(t.dir, 0o700);
        chmodSync(join(t.dir, 'run'), 0o700);
        chmodSync(sock, 0o600);
      }
    },
  );

  test('lock makes every request LOCKED; unlock restores service', async () => {
    assert.equal((await cli(['lock'])).status, 0);
    const locked = await cli(['get', 'lk://app/development/db/password']);
    assert.equal(locked.status, 1);
    assert.match(locked.stderr, /^latchkey: LOCKED: the vault is locked — run 'latchkey unlock'/);
    const wrong = await cli(['unlock', '--password-stdin'], 'wrong password\n');
    assert.match(wrong.stderr, /WRONG_PASSWORD/);
    assert.equal((await cli(['unlock', '--password-stdin'], `${PW}\n`)).status, 0);
    assert.equal((await cli(['get', 'lk://app/development/db/password'])).stdout.toString(), CANARY);
  });

  test('the agent locks itself after the idle period', async () => {
    const t2 = tempHome('latchkey-agent2-');
    const sock2 = join(t2.dir, 'run', 'agent.sock');
    try {
      assert.equal(
        (
          await runCli(['init', '--password-stdin', '--kdf-target-ms', '1'], {
            home: t2.home,
            input: `${PW}\n`,
          })
        ).status,
        0,
      );
      const a = await startAgent(t2.home, sock2, ['--lock-after', '0.01'], PW);
      try {
        await new Promise((r) => setTimeout(r, 1500));
        const s = await runCli(['status'], { home: t2.home, env: { LATCHKEY_SOCK: sock2 } });
        assert.equal(s.status, 0);
        const c = await AgentClient.connect(sock2);
        const status = (await c.call('status')) as { locked: boolean };
        c.close();
        assert.equal(status.locked, true);
        assert.match(a.stderr(), /locked \(idle\)/);
      } finally {
        await a.stop();
      }
    } finally {
      t2.cleanup();
    }
  });

  test('a fake agent squatting the path gets nothing from the CLI', async () => {
    const t3 = tempHome('latchkey-squat-');
    try {
      const dir = join(t3.dir, 'open');
      mkdirSync(dir, { mode: 0o777 });
      chmodSync(dir, 0o777);
      const fake = join(dir, 'agent.sock');
      let squatted = '';
      const server = createServer((s: Socket) =>
        s.on('data', (d: Buffer) => (squatted += d.toString('latin1'))),
      );
      await new Promise<void>((r) => server.listen(fake, () => r()));
      const r = await runCli(['get', 'lk://app/development/db/password'], {
        home: t.home,
        env: { LATCHKEY_SOCK: fake },
      });
      server.close();
      assert.equal(r.status, 1);
      assert.match(r.stderr, /UNSAFE_PATH/);
      assert.equal(squatted, '');
    } finally {
      t3.cleanup();
    }
  });

  test('the canary value appears in no agent output and no CLI error', () => {
    assert.ok(!agent.stderr().includes(CANARY));
    for (const o of outputs.filter((x) => !x.startsWith(CANARY)))
      assert.ok(!o.includes(`latchkey: `) || !o.includes(CANARY));
  });
});

/**
 * `latchkey run` against an agent from before pipelining, which refuses any request that arrives
 * before its hello has been answered: run notices the refusal and asks again, hello first.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeFrame, FrameDecoder, parseFrameBody } from '../../main/core/agent/frames';
import { runCli } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const VALUE = 'value-from-an-older-agent';

/** The old agent's rule: nothing but hello until the hello has been answered. */
function oldAgent(path: string, connections: { count: number }): Promise<Server> {
  const server = createServer((socket: Socket) => {
    connections.count++;
    const decoder = new FrameDecoder();
    let helloDone = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const body of decoder.push(chunk)) {
        const request = parseFrameBody(body) as { id: number; method: string; params?: { refs?: string[] } };
        if (request.method !== 'hello' && !helloDone) {
          socket.end(
            encodeFrame({
              id: null,
              ok: false,
              error: { code: 'PROTOCOL_ERROR', message: "the first request must be 'hello'" },
            }),
          );
          return;
        }
        setImmediate(() => {
          if (request.method === 'hello') {
            helloDone = true;
            socket.write(encodeFrame({ id: request.id, ok: true, result: { protocol: 1, locked: false } }));
          } else {
            const refs = request.params?.refs ?? [];
            socket.write(
              encodeFrame({
                id: request.id,
                ok: true,
                result: {
                  values: Object.fromEntries(refs.map((r) => [r, VALUE])),
                  missing: [],
                  changedAt: {},
                },
              }),
            );
          }
        });
      }
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

describe('latchkey run and an agent from before pipelining', () => {
  const t = tempHome('latchkey-old-agent-');
  const dir = join(t.dir, 'run');
  const sock = join(dir, 'agent.sock');
  const connections = { count: 0 };
  let server: Server;

  before(async () => {
    mkdirSync(dir, { mode: 0o700 });
    server = await oldAgent(sock, connections);
  });
  after(() => {
    server.close();
    t.cleanup();
  });

  for (const io of ['handles', 'public'] as const) {
    test(`run asks again, hello first, and injects the value (${io})`, async () => {
      const before = connections.count;
      const r = await runCli(
        [
          'run',
          '--no-mask',
          '--secret',
          'X=lk://app/development/db/password',
          '--',
          'sh',
          '-c',
          'printf %s "$X"',
        ],
        {
          home: t.home,
          cwd: t.dir,
          env: { LATCHKEY_SOCK: sock, ...(io === 'public' ? { LATCHKEY_RUN_PUBLIC_IO: '1' } : {}) },
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.toString('utf8'), VALUE);
      assert.equal(r.stderr, '');
      assert.equal(connections.count - before, 2, 'one refused pipelined attempt, then one hello first');
    });
  }
});

/**
 * The CLI's side of the agent socket. Checks the socket's directory before connecting (a fake
 * agent on the path gets nothing), says hello, then sends requests one at a time.
 */
import { connect, type Socket } from 'node:net';
import { LatchkeyError } from '../errors';
import { encodeFrame, FrameDecoder, MAX_REPLY_BYTES, parseFrameBody } from './frames';
import { PROTOCOL_VERSION } from './protocol-version';
import { checkSocketForClient } from './socket-path';

export class AgentClient {
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder(MAX_REPLY_BYTES);
  #nextId = 1;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #closedError: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const body of this.#decoder.push(chunk)) {
          const reply = parseFrameBody(body);
          body.fill(0);
          const waiter = typeof reply.id === 'number' ? this.#waiting.get(reply.id) : undefined;
          if (!waiter) {
            const error = reply.error as { code?: string; message?: string } | undefined;
            this.#fail(
              new LatchkeyError('PROTOCOL_ERROR', error?.message ?? 'the agent sent an unexpected reply'),
            );
            continue;
          }
          this.#waiting.delete(reply.id as number);
          if (reply.ok === true) waiter.resolve(reply.result);
          else {
            const error = (reply.error ?? {}) as { code?: string; message?: string };
            waiter.reject(
              new LatchkeyError(knownCode(error.code), error.message ?? 'the agent refused the request'),
            );
          }
        }
        chunk.fill(0);
      } catch (error) {
        this.#fail(error instanceof Error ? error : new Error('bad reply'));
      }
    });
    socket.on('close', () =>
      this.#fail(new LatchkeyError('AGENT_NOT_RUNNING', 'the agent closed the connection')),
    );
    socket.on('error', () => undefined);
  }

  /** Connects and says hello. AGENT_NOT_RUNNING when nothing listens there. */
  static async connect(path: string, timeoutMs = 2000): Promise<AgentClient> {
    try {
      checkSocketForClient(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new LatchkeyError('AGENT_NOT_RUNNING', `no agent is running (no socket at ${path})`);
      }
      throw error;
    }
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new LatchkeyError('AGENT_NOT_RUNNING', `the agent at ${path} did not answer`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', () => {
        clearTimeout(timer);
        reject(new LatchkeyError('AGENT_NOT_RUNNING', `no agent is running (nothing listens on ${path})`));
      });
    });
    const client = new AgentClient(socket);
    await client.call('hello', { protocol: PROTOCOL_VERSION, client: 'latchkey-cli' });
    return client;
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#socket.write(encodeFrame({ id, method, params }));
    });
  }

  close(): void {
    this.#socket.end();
    this.#socket.destroy();
  }

  #fail(error: Error): void {
    this.#closedError ??= error;
    for (const w of this.#waiting.values()) w.reject(error);
    this.#waiting.clear();
  }
}

function knownCode(code: string | undefined): LatchkeyError['code'] {
  const { ERROR_CODES } = require('../errors') as typeof import('../errors');
  return code !== undefined && Object.hasOwn(ERROR_CODES, code)
    ? (code as LatchkeyError['code'])
    : 'INTERNAL';
}

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

  /** What the agent said to hello. */
  hello: { readonly locked: boolean; readonly agent?: string } = { locked: true };

  /**
   * Connects and says hello, both within `timeoutMs`. AGENT_NOT_RUNNING when nothing listens
   * there; AgentSilent (also AGENT_NOT_RUNNING) when something accepts but does not answer in time,
   * so a silent agent can never hold a shell prompt or a `run`.
   */
  static async connect(path: string, timeoutMs = 2000, clientName = 'latchkey-cli'): Promise<AgentClient> {
    try {
      checkSocketForClient(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new LatchkeyError('AGENT_NOT_RUNNING', `no agent is running (no socket at ${path})`);
      }
      throw error;
    }
    const deadline = Date.now() + timeoutMs;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new AgentSilent(path));
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
    let timer: NodeJS.Timeout | undefined;
    try {
      const hello = (await Promise.race([
        client.call('hello', { protocol: PROTOCOL_VERSION, client: clientName }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new AgentSilent(path)), Math.max(1, deadline - Date.now()));
        }),
      ])) as { locked?: unknown; agent?: unknown };
      client.hello = {
        locked: hello.locked !== false,
        ...(typeof hello.agent === 'string' ? { agent: hello.agent } : {}),
      };
      return client;
    } catch (error) {
      client.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
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

/** An agent that accepted the connection but did not answer hello in time. */
export class AgentSilent extends LatchkeyError {
  constructor(path: string) {
    super('AGENT_NOT_RUNNING', `the agent at ${path} did not answer in time`);
  }
}

function knownCode(code: string | undefined): LatchkeyError['code'] {
  const { ERROR_CODES } = require('../errors') as typeof import('../errors');
  return code !== undefined && Object.hasOwn(ERROR_CODES, code)
    ? (code as LatchkeyError['code'])
    : 'INTERNAL';
}

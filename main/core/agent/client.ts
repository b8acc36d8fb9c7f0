/**
 * The CLI's side of the agent socket. Checks the socket's directory before connecting (a fake
 * agent on the path gets nothing), says hello, then sends requests; they may go out behind the
 * hello without waiting for it (`open`), and are answered in order.
 */
import { LatchkeyError } from '../errors';
import { encodeFrame, FrameDecoder, MAX_REPLY_BYTES, parseFrameBody } from './frames';
import { PROTOCOL_VERSION } from './protocol-version';
import { checkSocketForClient } from './socket-path';

/** A connection's events: the bytes as they arrive, then `end` once (`refused`: it never came up). */
export interface ConnectionEvents {
  data(chunk: Buffer): void;
  end(refused: boolean): void;
}

/** A byte connection to the agent's socket, opened by a Connector. */
export interface AgentConnection {
  /** Sends bytes. Written before the connection is up, they wait and go out together in one write. */
  write(bytes: Buffer): void;
  /** Closes it; no event follows. */
  close(): void;
}

/** Starts connecting to the socket at `path` and returns at once. */
export type Connector = (path: string, events: ConnectionEvents) => AgentConnection;

/** The Connector on node:net (loaded on first use: `latchkey run` brings its own, without net). */
export const connectWithNet: Connector = (path, events) => {
  const { connect } = require('node:net') as typeof import('node:net');
  const socket = connect(path);
  let up = false;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    events.end(!up);
  };
  socket.cork(); // what is written while connecting goes out in one write
  socket.once('connect', () => {
    up = true;
    socket.uncork();
  });
  socket.on('data', (chunk: Buffer) => events.data(chunk));
  socket.on('error', end);
  socket.on('close', end);
  return {
    write: (bytes) => void socket.write(bytes),
    close: () => {
      ended = true;
      socket.end();
      socket.destroy();
    },
  };
};

export class AgentClient {
  readonly #connection: AgentConnection;
  readonly #decoder = new FrameDecoder(MAX_REPLY_BYTES);
  #nextId = 1;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #closedError: Error | undefined;

  private constructor(path: string, connector: Connector) {
    this.#connection = connector(path, {
      data: (chunk) => this.#receive(chunk),
      end: (refused) =>
        this.#fail(
          new LatchkeyError(
            'AGENT_NOT_RUNNING',
            refused ? `no agent is running (nothing listens on ${path})` : 'the agent closed the connection',
          ),
        ),
    });
  }

  #receive(chunk: Buffer): void {
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
  }

  /** What the agent said to hello. */
  hello: { readonly locked: boolean; readonly agent?: string } = { locked: true };

  /**
   * Connects and says hello, both within `timeoutMs`. AGENT_NOT_RUNNING when nothing listens
   * there; AgentSilent (also AGENT_NOT_RUNNING) when something accepts but does not answer in time,
   * so a silent agent can never hold a shell prompt or a `run`.
   */
  static async connect(
    path: string,
    timeoutMs = 2000,
    clientName = 'latchkey-cli',
    connector: Connector = connectWithNet,
  ): Promise<AgentClient> {
    const client = AgentClient.open(path, timeoutMs, clientName, connector);
    try {
      await client.ready;
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /**
   * Starts connecting and queues the hello, without waiting: requests made now go out right behind
   * the hello, in the same write, once the connection is up (the agent answers them in order, after
   * the hello). `ready` settles with the hello's answer. Connecting and the hello are bounded by
   * `timeoutMs`: an agent silent that long fails `ready` and every waiting request with
   * AgentSilent; a socket nobody listens on fails them with AGENT_NOT_RUNNING. Requests are not
   * bounded once the hello is answered (a resolve may wait for the audit lock). Throws at once
   * (AGENT_NOT_RUNNING) when there is no socket, and UNSAFE_PATH when its directory is not private.
   * An agent from before pipelining answers requests sent behind the hello with PROTOCOL_ERROR
   * ("the first request must be 'hello'"); `connect` then waits for the hello before each request.
   */
  static open(
    path: string,
    timeoutMs = 2000,
    clientName = 'latchkey-cli',
    connector: Connector = connectWithNet,
  ): AgentClient {
    try {
      checkSocketForClient(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new LatchkeyError('AGENT_NOT_RUNNING', `no agent is running (no socket at ${path})`);
      }
      throw error;
    }
    const client = new AgentClient(path, connector);
    const timer = setTimeout(() => {
      client.#fail(new AgentSilent(path));
      client.close();
    }, timeoutMs);
    client.ready = client.call('hello', { protocol: PROTOCOL_VERSION, client: clientName }).then(
      (answer) => {
        clearTimeout(timer);
        const hello = answer as { locked?: unknown; agent?: unknown };
        client.hello = {
          locked: hello.locked !== false,
          ...(typeof hello.agent === 'string' ? { agent: hello.agent } : {}),
        };
      },
      (error: unknown) => {
        clearTimeout(timer);
        throw error;
      },
    );
    client.ready.catch(() => undefined); // a caller that only sends requests sees the error there
    return client;
  }

  /** Settles when the agent has answered the hello (rejects with its refusal or the failure). */
  ready: Promise<void> = Promise.resolve();

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#connection.write(encodeFrame({ id, method, params }));
    });
  }

  close(): void {
    this.#connection.close();
    this.#fail(new LatchkeyError('AGENT_NOT_RUNNING', 'the connection to the agent was closed'));
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

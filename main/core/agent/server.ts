/**
 * The agent's socket server: the same core the desktop app hosts, and `latchkey agent` runs
 * headless. Every connection's peer uid is checked before a byte is read; frames are size-capped
 * and must arrive promptly; connections are limited in number, idle time and request rate; any
 * malformed input closes that connection alone.
 */
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { LatchkeyError } from '../errors';
import { encodeFrame, FrameDecoder, MAX_REPLY_BYTES, parseFrameBody, ProtocolError } from './frames';
import { METHODS, type AgentContext, type Caller } from './methods';
import { peerCredentials } from './peer-credentials';
import { prepareSocketPath, withPrivateUmask } from './socket-path';
import type { VaultSession } from './vault-session';

export interface AgentServerOptions {
  readonly socketPath: string;
  readonly session: VaultSession;
  readonly version: string;
  readonly maxConnections?: number;
  /** Close a connection idle this long. */
  readonly idleTimeoutMs?: number;
  /** A frame must arrive whole within this long of its first byte (slow-drip guard). */
  readonly frameTimeoutMs?: number;
  /** Requests per second per peer process, with a burst of twice that. */
  readonly ratePerSecond?: number;
  /** Told about refused peers and protocol errors (never values). */
  readonly log?: (line: string) => void;
}

interface Bucket {
  tokens: number;
  last: number;
}

/** One answer, before its id is added. */
type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

export class AgentServer {
  readonly #options: Required<Omit<AgentServerOptions, 'log'>> & { log: (line: string) => void };
  readonly #server: Server;
  readonly #buckets = new Map<string, Bucket>();
  readonly #connections = new Set<Socket>();

  constructor(options: AgentServerOptions) {
    this.#options = {
      maxConnections: 1024,
      idleTimeoutMs: 60_000,
      frameTimeoutMs: 2_000,
      ratePerSecond: 10_000,
      log: () => undefined,
      ...options,
    };
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
  }

  get context(): AgentContext {
    return {
      session: this.#options.session,
      version: this.#options.version,
      socketPath: this.#options.socketPath,
    };
  }

  /** Prepares the path (refusing unsafe ones) and listens; the socket ends up 0600 in a 0700 dir. */
  async listen(): Promise<void> {
    await prepareSocketPath(this.#options.socketPath);
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      withPrivateUmask(() => this.#server.listen(this.#options.socketPath, () => resolve()));
    });
    if (process.platform !== 'win32') chmodSync(this.#options.socketPath, 0o600);
  }

  async close(): Promise<void> {
    for (const s of this.#connections) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const myUid = process.getuid?.();
    const peer = peerCredentials(socket);
    if (myUid !== undefined && (peer === undefined || peer.uid !== myUid)) {
      // Closed before a single byte is read: the connection was accepted paused.
      this.#options.log(`refused a connection from uid ${peer?.uid ?? 'unknown'} (pid ${peer?.pid ?? '?'})`);
      socket.destroy();
      this.#options.session.recordWhileLocked({
        op: 'denial',
        who: {
          via: 'agent',
          ...(peer?.pid !== undefined ? { pid: peer.pid } : {}),
          ...(peer ? { uid: peer.uid } : {}),
        },
        result: 'denied',
        reason: 'foreign-uid',
      });
      return;
    }
    if (this.#connections.size >= this.#options.maxConnections) {
      socket.end(
        encodeFrame({
          id: null,
          ok: false,
          error: { code: 'RATE_LIMITED', message: 'the agent has too many connections; try again shortly' },
        }),
      );
      return;
    }
    this.#connections.add(socket);
    const caller: Caller = {
      uid: peer?.uid ?? -1,
      ...(peer?.pid !== undefined ? { pid: peer.pid } : {}),
      ...(peer?.exe ? { exe: peer.exe } : {}),
    };
    const decoder = new FrameDecoder();
    // A client may send requests right behind its hello without waiting for the answer (`run`
    // does: one round trip instead of two). They are checked here against the hello having been
    // sent, and answered in order only once it succeeded.
    let helloSent = false;
    let helloDone = false;
    let frameTimer: NodeJS.Timeout | undefined;
    let queue = Promise.resolve();
    socket.setTimeout(this.#options.idleTimeoutMs, () => socket.destroy());
    const fail = (message: string): void => {
      decoder.clear();
      if (frameTimer) clearTimeout(frameTimer);
      this.#options.log(`protocol error from pid ${caller.pid ?? '?'}: ${message}`);
      socket.end(encodeFrame({ id: null, ok: false, error: { code: 'PROTOCOL_ERROR', message } }));
      socket.destroySoon?.();
      setTimeout(() => socket.destroy(), 100).unref();
    };
    /** Writes one reply. One too large to send becomes an error reply; the agent keeps serving. */
    const send = (id: number | string, reply: Reply): void => {
      if (socket.destroyed) return;
      let bytes: Buffer;
      try {
        bytes = encodeFrame({ id, ...reply }, MAX_REPLY_BYTES);
      } catch {
        bytes = encodeFrame({
          id,
          ok: false,
          error: {
            code: 'INVALID_VALUE',
            message: `the answer is larger than ${MAX_REPLY_BYTES} bytes; ask for fewer refs at a time`,
          },
        });
      }
      socket.write(bytes);
    };
    socket.on('data', (chunk: Buffer) => {
      let bodies: Buffer[];
      try {
        bodies = decoder.push(chunk);
      } catch (error) {
        fail(error instanceof Error ? error.message : 'malformed frame');
        return;
      }
      chunk.fill(0);
      if (decoder.buffered > 0 && frameTimer === undefined) {
        frameTimer = setTimeout(() => fail('the frame did not arrive in time'), this.#options.frameTimeoutMs);
      } else if (decoder.buffered === 0 && frameTimer !== undefined) {
        clearTimeout(frameTimer);
        frameTimer = undefined;
      }
      // Requests that came together are answered together: one write, so a client that sent its
      // hello and a request at once (as `run` does) wakes up once, with both answers.
      for (const body of bodies) {
        let request: Record<string, unknown>;
        try {
          request = parseFrameBody(body);
        } catch (error) {
          fail(error instanceof Error ? error.message : 'malformed frame');
          return;
        } finally {
          body.fill(0);
        }
        const id = request.id;
        if (
          !(typeof id === 'number' && Number.isSafeInteger(id)) &&
          !(typeof id === 'string' && id.length <= 64)
        ) {
          fail("every request needs an 'id' (a number or a short string)");
          return;
        }
        const method = request.method;
        if (typeof method !== 'string' || !Object.hasOwn(METHODS, method)) {
          fail(`unknown method '${String(method).slice(0, 40)}'`);
          return;
        }
        if (!helloSent && method !== 'hello') {
          fail("the first request must be 'hello'");
          return;
        }
        if (method === 'hello') helloSent = true;
        const params = (request.params ?? {}) as Record<string, unknown>;
        if (typeof params !== 'object' || params === null || Array.isArray(params)) {
          fail("'params' must be an object");
          return;
        }
        const allowed = this.#allow(caller);
        // Requests on one connection are answered in order (a refusal for the rate too).
        queue = queue
          .then(async () => {
            if (!allowed) {
              send(id, {
                ok: false,
                error: { code: 'RATE_LIMITED', message: 'too many requests; slow down' },
              });
              return;
            }
            if (method !== 'hello' && !helloDone) {
              fail('the hello was refused, so nothing else is answered on this connection');
              return;
            }
            const reply = await this.#handle(method, params, caller);
            if (method === 'hello' && reply.ok) helloDone = true;
            send(id, reply);
          })
          .catch(() => {
            // Never expected (#handle and send do not throw); if it happens, this connection ends,
            // not the agent.
            socket.destroy();
          });
      }
    });
    socket.on('close', () => {
      decoder.clear();
      if (frameTimer) clearTimeout(frameTimer);
      this.#connections.delete(socket);
    });
    socket.on('error', () => undefined);
    socket.resume();
  }

  async #handle(method: string, params: Record<string, unknown>, caller: Caller): Promise<Reply> {
    try {
      const result = await METHODS[method]!(this.context, params, caller);
      return { ok: true, result };
    } catch (error) {
      if (error instanceof LatchkeyError)
        return { ok: false, error: { code: error.code, message: error.message } };
      if (error instanceof ProtocolError)
        return { ok: false, error: { code: 'PROTOCOL_ERROR', message: error.message } };
      return { ok: false, error: { code: 'INTERNAL', message: 'the agent failed to answer; see its log' } };
    }
  }

  /** Token bucket per peer process. */
  #allow(caller: Caller): boolean {
    const key = `${caller.uid}:${caller.pid ?? '?'}`;
    const now = Date.now();
    const rate = this.#options.ratePerSecond;
    const b = this.#buckets.get(key) ?? { tokens: rate * 2, last: now };
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
    if (this.#buckets.size > 10_000) this.#buckets.clear();
    this.#buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

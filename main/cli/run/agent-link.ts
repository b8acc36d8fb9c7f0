/**
 * `latchkey run`'s conversation with the agent: hello, then one resolve. The same checks and
 * frames as AgentClient (socket directory checked before connecting, size-capped strict frames),
 * without AgentClient's imports — it reaches the method table and with it the audit and scope
 * code, which `run` would pay for at every start. The connection is opened first thing, so the
 * kernel and the agent work while `run` reads its plan.
 */
import { connect } from 'node:net';
import { ERROR_CODES, LatchkeyError, type ErrorCode } from '../../core/errors';
import { encodeFrame, FrameDecoder, MAX_REPLY_BYTES, parseFrameBody } from '../../core/agent/frames';
import { MAX_REFS, PROTOCOL_VERSION } from '../../core/agent/protocol-version';
import { checkSocketForClient, socketPath } from '../../core/agent/socket-path';
import type { ReadSecrets } from '../../core/vault/read-secrets';

const CONNECT_TIMEOUT_MS = 2000;

/** What the agent is told about the caller, for its audit line (never a value). */
export interface RunCaller {
  readonly via: 'run';
  readonly cwd: string;
  readonly tty?: string;
}

export interface AgentLink {
  /** True when the agent answered hello saying its vault is locked. */
  readonly locked: boolean;
  resolve(refs: readonly string[], caller: RunCaller): Promise<ReadSecrets>;
  close(): void;
}

/**
 * Connects and says hello. Undefined when no agent runs (no socket, nothing listening, or
 * LATCHKEY_NO_AGENT=1); UNSAFE_PATH when the socket's directory is not private and ours.
 */
export function openAgent(env: NodeJS.ProcessEnv): Promise<AgentLink | undefined> {
  if (env.LATCHKEY_NO_AGENT === '1') return Promise.resolve(undefined);
  const path = socketPath(env);
  try {
    checkSocketForClient(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return Promise.resolve(undefined);
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const decoder = new FrameDecoder(MAX_REPLY_BYTES);
    let waiting:
      { id: number; resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void } | undefined;
    let settled = false;
    const timer = setTimeout(() => {
      socket.destroy();
      if (!settled) {
        settled = true;
        resolve(undefined);
      }
    }, CONNECT_TIMEOUT_MS);
    const fail = (error: Error): void => {
      socket.destroy();
      if (waiting) {
        waiting.reject(error);
        waiting = undefined;
      }
    };
    const call = (
      id: number,
      method: string,
      params: Record<string, unknown>,
    ): Promise<Record<string, unknown>> =>
      new Promise((res, rej) => {
        waiting = { id, resolve: res, reject: rej };
        socket.write(encodeFrame({ id, method, params }));
      });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const body of decoder.push(chunk)) {
          const reply = parseFrameBody(body);
          body.fill(0);
          const w = waiting;
          if (w === undefined || reply.id !== w.id) {
            const e = reply.error as { message?: unknown } | undefined;
            throw new LatchkeyError(
              'PROTOCOL_ERROR',
              typeof e?.message === 'string' ? e.message : 'the agent sent an unexpected reply',
            );
          }
          waiting = undefined;
          if (reply.ok === true) w.resolve((reply.result ?? {}) as Record<string, unknown>);
          else w.reject(agentError(reply.error));
        }
      } catch (error) {
        fail(
          error instanceof Error
            ? error
            : new LatchkeyError('PROTOCOL_ERROR', 'the agent sent a malformed reply'),
        );
      } finally {
        chunk.fill(0);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!settled) {
        // Nothing listens on the path (a stale socket): no agent, as for AgentClient.
        settled = true;
        clearTimeout(timer);
        resolve(undefined);
        return;
      }
      fail(new LatchkeyError('AGENT_NOT_RUNNING', 'the agent closed the connection'));
    });
    // Written now, sent the moment the connection is up.
    call(1, 'hello', { protocol: PROTOCOL_VERSION, client: 'latchkey-run' }).then(
      (hello) => {
        clearTimeout(timer);
        settled = true;
        resolve({
          locked: hello.locked === true,
          resolve: async (refs, caller) => {
            // The agent answers at most MAX_REFS refs per request (its MAX_REFS).
            const all: ReadSecrets = { values: {}, missing: [], changedAt: {} };
            for (let i = 0, id = 2; i < refs.length; i += MAX_REFS, id++) {
              const part = (await call(id, 'resolve', {
                refs: refs.slice(i, i + MAX_REFS),
                allowMissing: true,
                caller,
              })) as unknown as ReadSecrets;
              Object.assign(all.values, part.values);
              Object.assign(all.changedAt, part.changedAt);
              all.missing.push(...part.missing);
            }
            return all;
          },
          close: () => socket.destroy(),
        });
      },
      (error: Error) => {
        clearTimeout(timer);
        settled = true;
        socket.destroy();
        reject(error);
      },
    );
  });
}

function agentError(error: unknown): LatchkeyError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const code =
    typeof e.code === 'string' && Object.hasOwn(ERROR_CODES, e.code) ? (e.code as ErrorCode) : 'INTERNAL';
  return new LatchkeyError(code, typeof e.message === 'string' ? e.message : 'the agent refused the request');
}

/**
 * `latchkey run`'s conversation with the agent: hello and resolve in one round trip, through the
 * shared AgentClient (socket directory checked before connecting, size-capped strict frames,
 * connect and hello bounded in time). The connection is opened first thing, so the kernel and the
 * agent accept it while `run` reads its plan.
 */
import { AgentClient, type Connector } from '../../core/agent/client';
import { MAX_REFS } from '../../core/agent/protocol-version';
import { socketPath } from '../../core/agent/socket-path';
import { isLatchkeyError } from '../../core/errors';
import type { ReadSecrets } from '../../core/vault/read-secrets';

const CONNECT_TIMEOUT_MS = 2000;

/** What the agent is told about the caller, for its audit line (never a value). */
export interface RunCaller {
  readonly via: 'run';
  readonly cwd: string;
  readonly tty?: string;
}

export interface AgentLink {
  /**
   * The values of `refs`. The hello and the resolve requests go out together, in one write, as
   * soon as the connection is up: one round trip. Undefined when no agent answered the hello
   * (nothing listens on the socket, or it stayed silent) — then `run` reads the vault itself.
   */
  resolve(refs: readonly string[], caller: RunCaller): Promise<ReadSecrets | undefined>;
  close(): void;
}

/**
 * Starts connecting (the kernel and the agent accept the connection while `run` reads its plan).
 * Undefined when there is no socket or LATCHKEY_NO_AGENT=1; UNSAFE_PATH when the socket's
 * directory is not private and ours.
 */
export function openAgent(env: NodeJS.ProcessEnv, connector: Connector): AgentLink | undefined {
  if (env.LATCHKEY_NO_AGENT === '1') return undefined;
  const path = socketPath(env);
  let client: AgentClient;
  try {
    client = AgentClient.open(path, CONNECT_TIMEOUT_MS, 'latchkey-run', connector);
  } catch (error) {
    if (isLatchkeyError(error, 'AGENT_NOT_RUNNING')) return undefined;
    throw error;
  }
  const resolveAll = async (refs: readonly string[], caller: RunCaller): Promise<ReadSecrets> => {
    // The agent answers at most MAX_REFS refs per request; all requests are sent at once.
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < refs.length; i += MAX_REFS) {
      requests.push(
        client.call('resolve', { refs: refs.slice(i, i + MAX_REFS), allowMissing: true, caller }),
      );
    }
    for (const r of requests) r.catch(() => undefined); // reported by Promise.all below
    const all: ReadSecrets = { values: {}, missing: [], changedAt: {} };
    for (const part of (await Promise.all(requests)) as ReadSecrets[]) {
      Object.assign(all.values, part.values);
      Object.assign(all.changedAt, part.changedAt);
      all.missing.push(...part.missing);
    }
    return all;
  };
  return {
    resolve: async (refs, caller) => {
      const answer = resolveAll(refs, caller);
      answer.catch(() => undefined); // reported below, after the hello's fate
      try {
        await client.ready;
      } catch (error) {
        if (isLatchkeyError(error, 'AGENT_NOT_RUNNING')) return undefined;
        if (!isLatchkeyError(error, 'PROTOCOL_ERROR')) throw error;
        // An agent from before pipelining refuses requests sent behind the hello and answers
        // nothing: say hello first this time. (A refused protocol version is refused again.)
        client.close();
        try {
          client = await AgentClient.connect(path, CONNECT_TIMEOUT_MS, 'latchkey-run', connector);
        } catch (again) {
          if (isLatchkeyError(again, 'AGENT_NOT_RUNNING')) return undefined;
          throw again;
        }
        return await resolveAll(refs, caller);
      }
      return await answer;
    },
    close: () => client.close(),
  };
}

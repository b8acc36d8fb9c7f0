/**
 * `latchkey run`'s conversation with the agent: hello, then resolve in batches, through the shared
 * AgentClient (socket directory checked before connecting, size-capped strict frames, connect and
 * hello bounded in time). The connection is opened first thing, so the kernel and the agent work
 * while `run` reads its plan.
 */
import { AgentClient } from '../../core/agent/client';
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
  /** True when the agent answered hello saying its vault is locked. */
  readonly locked: boolean;
  resolve(refs: readonly string[], caller: RunCaller): Promise<ReadSecrets>;
  close(): void;
}

/**
 * Connects and says hello. Undefined when no agent runs (no socket, nothing listening, silent, or
 * LATCHKEY_NO_AGENT=1); UNSAFE_PATH when the socket's directory is not private and ours.
 */
export async function openAgent(env: NodeJS.ProcessEnv): Promise<AgentLink | undefined> {
  if (env.LATCHKEY_NO_AGENT === '1') return undefined;
  let client: AgentClient;
  try {
    client = await AgentClient.connect(socketPath(env), CONNECT_TIMEOUT_MS, 'latchkey-run');
  } catch (error) {
    if (isLatchkeyError(error, 'AGENT_NOT_RUNNING')) return undefined;
    throw error;
  }
  return {
    locked: client.hello.locked,
    resolve: async (refs, caller) => {
      // The agent answers at most MAX_REFS refs per request.
      const all: ReadSecrets = { values: {}, missing: [], changedAt: {} };
      for (let i = 0; i < refs.length; i += MAX_REFS) {
        const part = (await client.call('resolve', {
          refs: refs.slice(i, i + MAX_REFS),
          allowMissing: true,
          caller,
        })) as ReadSecrets;
        Object.assign(all.values, part.values);
        Object.assign(all.changedAt, part.changedAt);
        all.missing.push(...part.missing);
      }
      return all;
    },
    close: () => client.close(),
  };
}

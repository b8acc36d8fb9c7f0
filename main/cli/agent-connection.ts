/**
 * When an agent is running, CLI commands go through it; with no agent they fall back to direct
 * mode. An unsafe socket path is an error, not a reason to fall back silently.
 */
import { AgentClient } from '../core/agent/client';
import { socketPath } from '../core/agent/socket-path';
import { isLatchkeyError } from '../core/errors';

/** A connected client, or undefined when no agent is running. */
export async function connectAgent(env: NodeJS.ProcessEnv): Promise<AgentClient | undefined> {
  if (env.LATCHKEY_NO_AGENT === '1') return undefined;
  try {
    return await AgentClient.connect(socketPath(env));
  } catch (error) {
    if (isLatchkeyError(error, 'AGENT_NOT_RUNNING')) return undefined;
    throw error;
  }
}

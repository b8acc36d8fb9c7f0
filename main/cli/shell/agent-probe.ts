/**
 * Is the agent there, and is it unlocked? One hello through the shared AgentClient, bounded by
 * `waitMs`, so an agent that accepts and then stays silent costs the prompt at most that; and a
 * locked vault is known before any value is asked for. The shell hook's answer for a locked,
 * absent or silent agent must be back within 100 ms of the prompt, Node's own start included.
 */
import { AgentClient, AgentSilent } from '../../core/agent/client';
import { isLatchkeyError } from '../../core/errors';

export type AgentPresence =
  | { readonly kind: 'absent' | 'locked' | 'unlocked' | 'slow' }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

export async function probeAgent(sock: string, waitMs: number): Promise<AgentPresence> {
  let client: AgentClient;
  try {
    client = await AgentClient.connect(sock, waitMs, 'latchkey-shell-hook');
  } catch (error) {
    if (error instanceof AgentSilent) return { kind: 'slow' };
    if (isLatchkeyError(error, 'AGENT_NOT_RUNNING')) return { kind: 'absent' };
    if (isLatchkeyError(error))
      return { kind: 'refused', code: error.code, message: error.message.slice(0, 200) };
    return { kind: 'absent' };
  }
  const presence: AgentPresence = { kind: client.hello.locked ? 'locked' : 'unlocked' };
  client.close();
  return presence;
}

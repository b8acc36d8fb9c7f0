/**
 * Is the agent there, and is it unlocked? One `hello` over the agent's framing
 * (core/agent/frames.ts), after the same socket checks the client makes. The probe owns its
 * socket and always closes it, so an agent that accepts and then stays silent costs at most
 * `waitMs` (the client's own hello has no deadline); and a locked vault is known before any value
 * is asked for. The shell hook's answer for a locked, absent or silent agent must be back within
 * 100 ms of the prompt, Node's own start included.
 */
import { connect } from 'node:net';
import { isLatchkeyError } from '../../core/errors';
import { encodeFrame, FrameDecoder, MAX_REPLY_BYTES, parseFrameBody } from '../../core/agent/frames';
import { PROTOCOL_VERSION } from '../../core/agent/protocol-version';
import { checkSocketForClient } from '../../core/agent/socket-path';

export type AgentPresence =
  | { readonly kind: 'absent' | 'locked' | 'unlocked' | 'slow' }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

export function probeAgent(sock: string, waitMs: number): Promise<AgentPresence> {
  try {
    checkSocketForClient(sock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve({ kind: 'absent' });
    if (isLatchkeyError(error))
      return Promise.resolve({ kind: 'refused', code: error.code, message: error.message });
    return Promise.resolve({ kind: 'absent' });
  }
  return new Promise((resolve) => {
    const socket = connect(sock);
    const decoder = new FrameDecoder(MAX_REPLY_BYTES);
    let settled = false;
    const settle = (presence: AgentPresence): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(presence);
    };
    const timer = setTimeout(() => settle({ kind: 'slow' }), waitMs);
    socket.once('connect', () => {
      socket.write(
        encodeFrame({
          id: 1,
          method: 'hello',
          params: { protocol: PROTOCOL_VERSION, client: 'latchkey-shell-hook' },
        }),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const body of decoder.push(chunk)) {
          const reply = parseFrameBody(body);
          if (reply.ok === true) {
            const result = reply.result as { locked?: unknown } | undefined;
            settle({ kind: result?.locked === false ? 'unlocked' : 'locked' });
          } else {
            const error = (reply.error ?? {}) as { code?: unknown; message?: unknown };
            settle({
              kind: 'refused',
              code: typeof error.code === 'string' ? error.code.slice(0, 40) : 'PROTOCOL_ERROR',
              message:
                typeof error.message === 'string'
                  ? error.message.slice(0, 200)
                  : 'the agent refused the hello',
            });
          }
        }
      } catch (error) {
        settle({
          kind: 'refused',
          code: 'PROTOCOL_ERROR',
          message: error instanceof Error ? error.message : 'bad reply',
        });
      }
    });
    // Nothing listening (a stale socket file) is the same as no agent.
    socket.on('error', () => settle({ kind: 'absent' }));
    socket.on('close', () => settle({ kind: 'absent' }));
  });
}

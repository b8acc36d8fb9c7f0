/**
 * The few operating-system operations `latchkey run` needs — connect to the agent's socket, start
 * the command, read its output where it is masked, ask whether a descriptor is a terminal — behind
 * one small interface with two implementations:
 *
 * - `publicRunIo`, on Node's public modules (net, child_process, tty);
 * - `handleRunIo` (node-handles.ts), on the libuv handles those modules are themselves built on.
 *   Loading net, stream, tty and child_process and making their first objects costs `run` about
 *   4 ms at every start — a quarter of what `node -e 0` costs — for features `run` does not use.
 *
 * `chooseRunIo` takes the handles where this Node has them (checked, not assumed) and the public
 * modules otherwise, or when LATCHKEY_RUN_PUBLIC_IO=1. Everything above this line — the plan,
 * masking, signals, exit statuses — is the same code for both (child.ts, launch.ts).
 */
import type { Connector } from '../../core/agent/client';

/** Where the command's stdout or stderr goes: straight to ours, or through us (masking). */
export type OutputRoute = 'inherit' | 'pipe';

export interface SpawnRequest {
  readonly file: string;
  readonly args: readonly string[];
  /** The whole environment (values checked free of NUL by the caller). */
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: OutputRoute;
  readonly stderr: OutputRoute;
}

/** What a started command reports. Every callback comes from the event loop, never from `spawn`. */
export interface ChildEvents {
  /** It could not be started; `code` is the errno name (ENOENT, EACCES, …). Nothing else follows. */
  failed(code: string): void;
  /** Bytes the command wrote to a piped output (fd 1 or 2). */
  output(fd: 1 | 2, chunk: Buffer): void;
  /** A piped output reached its end. */
  outputEnd(fd: 1 | 2): void;
  /** It exited: its code, or the signal that ended it. */
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface StartedChild {
  /** Sends a signal; false when it could not be delivered (already gone). */
  kill(signal: NodeJS.Signals): boolean;
  /** Stops reading a piped output and closes our end (the command then meets a closed pipe). */
  closeOutput(fd: 1 | 2): void;
}

export interface RunIo {
  readonly kind: 'handles' | 'public';
  readonly connect: Connector;
  /** Starts the command with fd 0 inherited and fds 1 and 2 as requested. */
  spawn(request: SpawnRequest, events: ChildEvents): StartedChild;
  isatty(fd: number): boolean;
}

/** The implementation on Node's public modules. */
export function publicRunIo(): RunIo {
  const { connectWithNet } = require('../../core/agent/client') as typeof import('../../core/agent/client');
  return {
    kind: 'public',
    connect: connectWithNet,
    isatty: (fd) => (require('node:tty') as typeof import('node:tty')).isatty(fd),
    spawn(request, events) {
      const { spawn } = require('node:child_process') as typeof import('node:child_process');
      const child = spawn(request.file, request.args, {
        env: request.env,
        stdio: ['inherit', request.stdout, request.stderr],
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        // Only a failure to start counts; a failed kill of a running child changes nothing here.
        if (child.pid === undefined) events.failed(error.code ?? 'UNKNOWN');
      });
      child.once('exit', (code, signal) => events.exit(code, signal));
      for (const [fd, stream] of [
        [1, child.stdout],
        [2, child.stderr],
      ] as const) {
        if (stream === null) continue;
        stream.on('data', (chunk: Buffer) => events.output(fd, chunk));
        stream.on('end', () => events.outputEnd(fd));
        stream.on('error', () => events.outputEnd(fd));
      }
      return {
        kill: (signal) => {
          try {
            return child.kill(signal);
          } catch {
            return false;
          }
        },
        closeOutput: (fd) => (fd === 1 ? child.stdout : child.stderr)?.destroy(),
      };
    },
  };
}

/** The handles where this Node has them and LATCHKEY_RUN_PUBLIC_IO is not 1; else the public modules. */
export function chooseRunIo(env: NodeJS.ProcessEnv): RunIo {
  if (env.LATCHKEY_RUN_PUBLIC_IO !== '1') {
    const { handleRunIo } = require('./node-handles') as typeof import('./node-handles');
    const io = handleRunIo();
    if (io) return io;
  }
  return publicRunIo();
}

/**
 * Starting the command `latchkey run` was given, and being a transparent parent to it: no shell,
 * argv exactly as given, PATH looked up; stdin, the terminal and unmasked output are the child's
 * own file descriptors; signals are passed on; the exit status is the child's (128 + n when it
 * died of signal n, as shells report it). Masked output comes to us on a pipe, goes through the
 * Masker and out to our own fd 1 or 2.
 */
import { readFileSync } from 'node:fs';
import { writeFully, type FdOutput } from './fd-output';
import type { Masker, MaskedValue } from './masker';
import type { RunIo, StartedChild } from './run-io';

/** Signals passed on to the child (POSIX). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGWINCH',
  'SIGUSR1',
  'SIGUSR2',
];
/** Signals a terminal sends to its whole foreground process group — the child included. */
const TERMINAL_SIGNALS = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT', 'SIGWINCH']);
/** After the child exits, how long to wait for output from something it left running. */
const DRAIN_AFTER_EXIT_MS = 200;

export interface ChildSpec {
  /** The program and its arguments. */
  readonly command: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Which of our outputs the child writes through the masker (on a pipe) instead of directly. */
  readonly mask: { readonly stdout: boolean; readonly stderr: boolean };
  readonly values: readonly MaskedValue[];
  readonly io: RunIo;
  /** Where `cannot run` is reported. */
  readonly stderr: FdOutput;
}

/** Runs the command to its end and returns the exit status `latchkey run` should exit with. */
export function runChild(spec: ChildSpec): Promise<number> {
  const [file, ...args] = spec.command;
  return new Promise((resolve) => {
    /** Piped outputs still open, each with its masker once it has written something. */
    const open = new Map<1 | 2, { masker?: Masker }>();
    let status: number | undefined;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    let removeForwarding = (): void => undefined;
    const settle = (result: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      removeForwarding();
      resolve(result);
    };
    /** Every byte written before the exit status is reported. */
    const finishOutput = (fd: 1 | 2, flush: boolean): void => {
      const o = open.get(fd);
      if (!o) return;
      open.delete(fd);
      if (o.masker) {
        const rest = o.masker.end();
        o.masker.dispose();
        if (flush && rest.length > 0) write(fd, rest);
      }
      if (status !== undefined && open.size === 0) settle(status);
    };
    const write = (fd: 1 | 2, bytes: Uint8Array): void => {
      try {
        writeFully(fd, bytes);
      } catch {
        // A reader that went away (EPIPE): stop reading, so the child meets a closed pipe too.
        child?.closeOutput(fd);
        finishOutput(fd, false);
      }
    };
    /** Something the child started may hold its output open: wait a little, then stop reading. */
    const armDrain = (): void => {
      clearTimeout(drainTimer);
      drainTimer = setTimeout(() => {
        for (const fd of [...open.keys()]) {
          child?.closeOutput(fd);
          finishOutput(fd, true);
        }
      }, DRAIN_AFTER_EXIT_MS);
    };

    let child: StartedChild | undefined;
    if (file === '') {
      // No program has an empty name (shells say "command not found" too); both RunIos agree.
      settle(cannotRun(spec.stderr, '', 'ENOENT'));
      return;
    }
    if (spec.mask.stdout) open.set(1, {});
    if (spec.mask.stderr) open.set(2, {});
    try {
      child = spec.io.spawn(
        {
          file: file!,
          args,
          env: spec.env,
          stdout: spec.mask.stdout ? 'pipe' : 'inherit',
          stderr: spec.mask.stderr ? 'pipe' : 'inherit',
        },
        {
          failed: (code) => {
            open.clear();
            settle(cannotRun(spec.stderr, file!, code));
          },
          output: (fd, chunk) => {
            const o = open.get(fd);
            if (!o || settled) return;
            const out = (o.masker ??= newMasker(spec.values)).push(chunk);
            if (out.length > 0) write(fd, out);
            if (status !== undefined && open.size > 0) armDrain();
          },
          outputEnd: (fd) => finishOutput(fd, true),
          exit: (code, signal) => {
            if (settled) return;
            status = code ?? 128 + (signal ? (signalNumber(signal) ?? 0) : 0);
            if (open.size === 0) settle(status);
            else armDrain();
          },
        },
      );
    } catch (error) {
      settle(cannotRun(spec.stderr, file!, (error as NodeJS.ErrnoException | null)?.code));
      return;
    }
    const started = child;
    removeForwarding = forwardSignals((signal) => started.kill(signal), spec.io);
  });
}

/** 127 when the program is not there (as shells do), 126 when it cannot be executed. */
function cannotRun(stderr: FdOutput, file: string, code: string | undefined): number {
  const shown = file.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 200);
  const reason =
    code === 'ENOENT'
      ? 'command not found (looked for it in PATH)'
      : code === 'EACCES'
        ? 'permission denied (is it executable?)'
        : `the system refused to start it (${code ?? 'unknown error'})`;
  stderr.write(`latchkey: cannot run '${shown}': ${reason}\n`);
  return code === 'ENOENT' ? 127 : 126;
}

/**
 * Passes signals on to the child. A signal the terminal sends (Ctrl-C, Ctrl-\, a resize) already
 * reached the child, which shares our foreground process group, so passing it on would deliver it
 * twice (a second Ctrl-C means "force quit" to many tools): those are passed on only when we are
 * not in the foreground of a terminal — e.g. `kill -INT` from a script. Returns the undo.
 */
function forwardSignals(kill: (signal: NodeJS.Signals) => void, io: RunIo): () => void {
  if (process.platform === 'win32') return () => undefined;
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (TERMINAL_SIGNALS.has(signal) && inForegroundOfTerminal(io)) return;
      kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

/** True when this process is in the foreground process group of its controlling terminal. */
function inForegroundOfTerminal(io: RunIo): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync('/proc/self/stat', 'latin1');
      // After "pid (comm) ": state ppid pgrp session tty_nr tpgid …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[4] !== '0' && fields[5] === fields[2];
    } catch {
      return false;
    }
  }
  return io.isatty(0);
}

function newMasker(values: readonly MaskedValue[]): Masker {
  const { Masker: MaskerClass } = require('./masker') as typeof import('./masker');
  return new MaskerClass(values);
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return (require('node:os') as typeof import('node:os')).constants.signals[signal];
}

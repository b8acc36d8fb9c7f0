/**
 * Starting the command `latchkey run` was given, and being a transparent parent to it: no shell,
 * argv exactly as given, PATH looked up; stdin, the terminal and unmasked output are the child's
 * own file descriptors; signals are passed on; the exit status is the child's (128 + n when it
 * died of signal n, as shells report it). Masked output goes through MaskStream on a pipe.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';
import type { CliIo } from '../io';
import type { Masker, MaskedValue } from './mask-stream';

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
  /** Which outputs go through the masker. */
  readonly mask: { readonly stdout: boolean; readonly stderr: boolean };
  readonly values: readonly MaskedValue[];
  readonly io: CliIo;
  /** The child may use this process's own fds 0–2 where nothing is masked (the real CLI). */
  readonly inheritFds: boolean;
}

/** Runs the command to its end and returns the exit status `latchkey run` should exit with. */
export function runChild(spec: ChildSpec): Promise<number> {
  const [file, ...args] = spec.command;
  const stdio: StdioOptions = [
    spec.inheritFds ? 'inherit' : 'pipe',
    spec.inheritFds && !spec.mask.stdout ? 'inherit' : 'pipe',
    spec.inheritFds && !spec.mask.stderr ? 'inherit' : 'pipe',
  ];
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(file!, args, { env: spec.env, stdio });
    } catch (error) {
      resolve(cannotRun(spec.io, file!, error));
      return;
    }
    const removeForwarding = forwardSignals(child);
    const outputs: Promise<void>[] = [];
    const copies: { source: Readable; finish: () => void }[] = [];
    const copy = (source: Readable | null, target: Writable, masked: boolean): void => {
      if (source === null) return;
      // Made at the first byte: a command that prints nothing never loads the masker.
      let masker: Masker | undefined;
      outputs.push(
        new Promise<void>((done) => {
          let finished = false;
          const finish = (): void => {
            if (finished) return;
            finished = true;
            if (masker) {
              const rest = masker.end();
              masker.dispose();
              if (rest.length > 0) target.write(rest);
            }
            // Every byte handed to the target before we report the exit status.
            target.write('', () => done());
          };
          source.on('data', (chunk: Buffer) => {
            const out = masked ? (masker ??= newMasker(spec.values)).push(chunk) : chunk;
            if (out.length > 0 && !target.write(out)) {
              source.pause();
              target.once('drain', () => source.resume());
            }
          });
          source.on('end', finish);
          source.on('error', finish);
          // A reader that went away (EPIPE): stop reading, so the child meets a closed pipe too.
          target.on('error', () => {
            source.destroy();
            finish();
          });
          copies.push({
            source,
            finish: () => {
              source.destroy();
              finish();
            },
          });
        }),
      );
    };
    copy(child.stdout, spec.io.stdout, spec.mask.stdout);
    copy(child.stderr, spec.io.stderr, spec.mask.stderr);
    if (child.stdin) {
      spec.io.stdin.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
    }

    let settled = false;
    child.on('error', (error) => {
      // Only a failure to start counts; a failed kill of a running child changes nothing here.
      if (settled || child.pid !== undefined) return;
      settled = true;
      removeForwarding();
      resolve(cannotRun(spec.io, file!, error));
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      removeForwarding();
      if (child.stdin) spec.io.stdin.unpipe(child.stdin);
      const status = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      // Something the child started may hold its output open: wait a little, then stop reading.
      let timer = setTimeout(() => copies.forEach((c) => c.finish()), DRAIN_AFTER_EXIT_MS);
      for (const c of copies) {
        c.source.on('data', () => {
          clearTimeout(timer);
          timer = setTimeout(() => copies.forEach((x) => x.finish()), DRAIN_AFTER_EXIT_MS);
        });
      }
      void Promise.all(outputs).then(() => {
        clearTimeout(timer);
        resolve(status);
      });
    });
  });
}

/** 127 when the program is not there (as shells do), 126 when it cannot be executed. */
function cannotRun(io: CliIo, file: string, error: unknown): number {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const shown = file.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 200);
  const reason =
    code === 'ENOENT'
      ? 'command not found (looked for it in PATH)'
      : code === 'EACCES'
        ? 'permission denied (is it executable?)'
        : `the system refused to start it (${code ?? 'unknown error'})`;
  io.stderr.write(`latchkey: cannot run '${shown}': ${reason}\n`);
  return code === 'ENOENT' ? 127 : 126;
}

/**
 * Passes signals on to the child. A signal the terminal sends (Ctrl-C, Ctrl-\, a resize) already
 * reached the child, which shares our foreground process group, so passing it on would deliver it
 * twice (a second Ctrl-C means "force quit" to many tools): those are passed on only when we are
 * not in the foreground of a terminal — e.g. `kill -INT` from a script. Returns the undo.
 */
function forwardSignals(child: ChildProcess): () => void {
  if (process.platform === 'win32') return () => undefined;
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (TERMINAL_SIGNALS.has(signal) && inForegroundOfTerminal()) return;
      try {
        child.kill(signal);
      } catch {
        /* already gone */
      }
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

/** True when this process is in the foreground process group of its controlling terminal. */
function inForegroundOfTerminal(): boolean {
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
  return isatty(0);
}

function newMasker(values: readonly MaskedValue[]): Masker {
  const { Masker: MaskerClass } = require('./mask-stream') as typeof import('./mask-stream');
  return new MaskerClass(values);
}

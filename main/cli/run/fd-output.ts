/**
 * Writing to this process's own stdout and stderr by file descriptor, synchronously — as Node
 * itself does for pipes and files — without creating process.stdout and process.stderr (and the
 * stream and tty modules behind them), which `latchkey run` would otherwise pay for at every start.
 */
import { writeSync } from 'node:fs';

/** Writes every byte, waiting (briefly, repeatedly) while a non-blocking pipe is full. Throws EPIPE etc. */
export function writeFully(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** One of our own outputs (fd 1 or 2): whether it is a terminal, and a best-effort text writer. */
export interface FdOutput {
  readonly isTTY: boolean;
  /** Writes a message; a reader that went away (EPIPE) is not an error worth reporting. */
  write(text: string): void;
}

export function fdOutput(fd: 1 | 2, isTTY: boolean): FdOutput {
  return {
    isTTY,
    write(text) {
      try {
        writeFully(fd, Buffer.from(text, 'utf8'));
      } catch {
        /* nobody is reading: there is nowhere to say anything */
      }
    },
  };
}

/**
 * Writing to this process's own stdout and stderr by file descriptor, synchronously — as Node
 * itself does for pipes and files — without creating process.stdout and process.stderr, which
 * `latchkey run` would otherwise pay for at every start.
 */
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { isatty } from 'node:tty';

/** Writes every byte, waiting (briefly, repeatedly) while a non-blocking pipe is full. */
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

/** A Writable over fd 1 or 2; `isTTY` as process.stdout's would be. */
export function fdOutput(fd: 1 | 2): Writable & { isTTY: boolean } {
  const stream = new Writable({
    decodeStrings: true,
    write(chunk: Buffer, _encoding, callback) {
      try {
        writeFully(fd, chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  return Object.assign(stream, { isTTY: isatty(fd) });
}

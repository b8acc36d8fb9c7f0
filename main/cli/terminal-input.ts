/**
 * Where passwords and values come from. Never argv. Either
 *  - stdin, for scripts: with --password-stdin the first line is the password (a second line the
 *    new password for `passwd`), and any value a command reads follows on the next lines; or
 *  - the terminal, with echo off, read byte by byte into a buffer (no string per keystroke).
 * When stdin is piped (a value) the password is asked on /dev/tty, like ssh and gpg do.
 */
import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { LatchkeyError } from '../core/errors';
import { checkNewPassword } from '../core/crypto/password';
import { wipe } from '../core/crypto/secret';
import { writeAll, type CliIo } from './io';

/** Stdin larger than this is refused: no password or value is that long. */
const MAX_STDIN_BYTES = 1024 * 1024;

export class InputSource {
  readonly #io: CliIo;
  readonly #passwordFromStdin: boolean;
  #stdin: Buffer | undefined;
  #offset = 0;

  constructor(io: CliIo, passwordFromStdin: boolean) {
    this.#io = io;
    this.#passwordFromStdin = passwordFromStdin;
  }

  async #readStdin(): Promise<Buffer> {
    if (this.#stdin) return this.#stdin;
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of this.#io.stdin) {
      const b = chunk as Buffer;
      total += b.length;
      chunks.push(b);
      if (total > MAX_STDIN_BYTES) {
        chunks.forEach((c) => wipe(c));
        throw new LatchkeyError('INVALID_VALUE', `standard input is larger than ${MAX_STDIN_BYTES} bytes`);
      }
    }
    this.#stdin = Buffer.concat(chunks);
    chunks.forEach((c) => wipe(c));
    return this.#stdin;
  }

  /** The next line of stdin (without its line ending), or undefined at the end. */
  async #stdinLine(): Promise<Buffer | undefined> {
    const all = await this.#readStdin();
    if (this.#offset >= all.length) return undefined;
    let end = all.indexOf(0x0a, this.#offset);
    const next = end === -1 ? all.length : end + 1;
    if (end === -1) end = all.length;
    if (end > this.#offset && all[end - 1] === 0x0d) end--;
    const line = Buffer.from(all.subarray(this.#offset, end));
    this.#offset = next;
    return line;
  }

  /** The next line of standard input (for --token-stdin and the like); USAGE when it is missing. */
  async line(what: string): Promise<Buffer> {
    const line = await this.#stdinLine();
    if (line === undefined || line.length === 0) {
      throw new LatchkeyError('USAGE', `standard input ended before ${what}`);
    }
    return line;
  }

  /** A password: the next stdin line with --password-stdin, else asked on the terminal. */
  async password(prompt = 'Master password: '): Promise<Buffer> {
    if (this.#passwordFromStdin) {
      const line = await this.#stdinLine();
      if (line === undefined) {
        throw new LatchkeyError(
          'USAGE',
          '--password-stdin was given but standard input ended before the password line',
        );
      }
      return line;
    }
    return this.#prompt(prompt);
  }

  /** A new password: once from stdin, or twice on the terminal (must match). Checked for length. */
  async newPassword(prompt = 'New master password: '): Promise<Buffer> {
    const first = await this.password(prompt);
    checkNewPassword(first);
    if (this.#passwordFromStdin) return first;
    const second = await this.#prompt('Repeat it: ');
    const same = first.equals(second);
    wipe(second);
    if (!same) {
      wipe(first);
      throw new LatchkeyError(
        'PASSWORD_MISMATCH',
        'the two passwords differ; nothing was changed — run the command again',
      );
    }
    return first;
  }

  /**
   * A secret value: the rest of stdin when stdin is not a terminal (one trailing newline removed),
   * else asked on the terminal with echo off.
   */
  async value(prompt: string): Promise<Buffer> {
    if (this.#passwordFromStdin || !this.#io.stdin.isTTY) {
      const all = await this.#readStdin();
      let end = all.length;
      if (end > this.#offset && all[end - 1] === 0x0a) end--;
      if (end > this.#offset && all[end - 1] === 0x0d) end--;
      const value = Buffer.from(all.subarray(this.#offset, end));
      this.#offset = all.length;
      return value;
    }
    return this.#prompt(prompt);
  }

  /** Asks a yes/no question on the terminal; `false` unless the answer starts with y. */
  async confirm(question: string): Promise<boolean> {
    const answer = await this.#prompt(question, true);
    const yes = answer.length > 0 && (answer[0] === 0x79 || answer[0] === 0x59);
    wipe(answer);
    return yes;
  }

  /** Zeroes what was read from stdin. */
  dispose(): void {
    wipe(this.#stdin);
  }

  async #prompt(prompt: string, echo = false): Promise<Buffer> {
    const tty = this.#openTerminal(
      echo
        ? 'there is no terminal to confirm on; pass --yes to proceed without asking'
        : 'there is no terminal to ask on; pass --password-stdin and write the password on the first line of standard input',
    );
    await writeAll(this.#io.stderr, prompt);
    try {
      return await readTerminalLine(tty.stream, echo, (s) => this.#io.stderr.write(s));
    } finally {
      await writeAll(this.#io.stderr, '\n');
      tty.close();
    }
  }

  #openTerminal(hint: string): { stream: ReadStream; close: () => void } {
    const stdin = this.#io.stdin;
    if (stdin.isTTY && stdin instanceof ReadStream) return { stream: stdin, close: () => stdin.pause() };
    try {
      const stream = new ReadStream(openSync('/dev/tty', 'r'));
      return { stream, close: () => stream.destroy() };
    } catch {
      throw new LatchkeyError('NO_TERMINAL', hint);
    }
  }
}

/**
 * Reads one line in raw mode into a growing buffer. Backspace removes a whole UTF-8 character;
 * Ctrl-C and Ctrl-D (on an empty line) cancel.
 */
function readTerminalLine(stream: ReadStream, echo: boolean, write: (s: string) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(256);
    let len = 0;
    const wasRaw = stream.isRaw;
    stream.setRawMode(true);
    const finish = (error?: Error): void => {
      stream.removeListener('data', onData);
      stream.setRawMode(wasRaw);
      if (error) {
        wipe(buf);
        reject(error);
      } else {
        const out = Buffer.from(buf.subarray(0, len));
        wipe(buf);
        resolve(out);
      }
    };
    const onData = (chunk: Buffer): void => {
      for (const byte of chunk) {
        if (byte === 0x0d || byte === 0x0a) return finish();
        if (byte === 0x03 || (byte === 0x04 && len === 0)) {
          return finish(new LatchkeyError('CANCELLED', 'cancelled at the prompt; nothing was changed'));
        }
        if (byte === 0x7f || byte === 0x08) {
          while (len > 0 && (buf[len - 1]! & 0xc0) === 0x80) len--;
          if (len > 0) len--;
          if (echo) write('\b \b');
          continue;
        }
        if (byte < 0x20) continue;
        if (len === buf.length) {
          const bigger = Buffer.alloc(buf.length * 2);
          buf.copy(bigger);
          wipe(buf);
          buf = bigger;
        }
        buf[len++] = byte;
        if (echo) write(String.fromCharCode(byte));
      }
      chunk.fill(0);
    };
    stream.on('data', onData);
    stream.resume();
  });
}

/**
 * Direct mode for `latchkey run`: with no agent, the vault is opened here with the master password
 * — asked on the terminal, or the first line of stdin with --password-stdin. Only that first line
 * is read (a byte at a time, straight from fd 0), so everything after it is still there for the
 * command: `printf '%s\n%s' "$PW" "$INPUT" | latchkey run --password-stdin -- cmd`. Every value read
 * is recorded in the audit log before it leaves, as `get` does.
 */
import { readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import type { ReadSecrets } from '../../core/vault/read-secrets';
import { parseFieldRef } from '../../core/vault/ref';
import { readAudited, vaultStore } from '../direct-vault';
import type { CliIo } from '../io';
import { InputSource } from '../terminal-input';

/** A master password is at most 1024 bytes (checkNewPassword); allow a CR before the newline. */
const MAX_PASSWORD_LINE = 1026;

/**
 * The first line of fd 0, without its line ending, read without reading past it. Undefined when
 * stdin ends before any byte.
 */
export function readFirstLine(fd = 0): Buffer | undefined {
  const line = Buffer.alloc(MAX_PASSWORD_LINE + 1);
  const one = Buffer.alloc(1);
  let n = 0;
  let sawAny = false;
  for (;;) {
    let got: number;
    try {
      got = readSync(fd, one, 0, 1, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // non-blocking stdin: wait for it
        continue;
      }
      if (code === 'EOF') break; // Windows: the end of a pipe
      wipe(line);
      throw error;
    }
    if (got === 0) break;
    sawAny = true;
    if (one[0] === 0x0a) break;
    if (n === MAX_PASSWORD_LINE) {
      wipe(line, one);
      throw new LatchkeyError(
        'USAGE',
        'the first line of standard input is too long to be a master password',
      );
    }
    line[n++] = one[0]!;
  }
  wipe(one);
  if (!sawAny) {
    wipe(line);
    return undefined;
  }
  if (n > 0 && line[n - 1] === 0x0d) n--;
  const out = Buffer.from(line.subarray(0, n));
  wipe(line);
  return out;
}

/** Opens the vault with a password and reads `refs` (canonical strings), auditing each value read. */
export async function readDirect(
  refs: readonly string[],
  context: { env: NodeJS.ProcessEnv; io: CliIo; passwordStdin: boolean },
): Promise<ReadSecrets> {
  const parsed = refs.map((r) => parseFieldRef(r));
  let passwordIo: CliIo;
  if (context.passwordStdin) {
    const line = readFirstLine();
    if (line === undefined) {
      throw new LatchkeyError(
        'USAGE',
        '--password-stdin was given but standard input ended before the password line',
      );
    }
    passwordIo = { ...context.io, stdin: Readable.from([line, Buffer.from('\n')]) };
  } else {
    // Not our stdin (it is the command's): the prompt goes to the terminal itself, /dev/tty.
    passwordIo = { ...context.io, stdin: Readable.from([]) };
  }
  return readAudited(vaultStore(context.env), new InputSource(passwordIo, context.passwordStdin), parsed);
}

/**
 * Quoting a value so that bash, zsh or fish reads back exactly its bytes. The output is printable
 * ASCII only — every control byte, every byte above 0x7e, `'`, `\` and `!` is written as an escape —
 * so it survives `eval "$(…)"` and `… | source`, cannot drive a terminal it is printed on, and
 * gives bash's interactive history expansion nothing to expand if it is pasted.
 *
 * bash, zsh: ANSI-C quoting, `$'…'` with `\xHH` (two digits always, so the next character can
 * never extend the escape), `\n`, `\t` and `\\`.
 * fish: single-quoted runs of printable characters (`\\` and `\'` are fish's only escapes there)
 * joined to unquoted escapes: `\xHH` for control bytes (fish allows at most \x7f) and `\XHH` for
 * bytes above, which fish keeps as raw bytes whatever the locale.
 *
 * NUL cannot be in an environment variable (C strings end there), so a value holding one is refused.
 */
import { LatchkeyError } from '../../core/errors';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type ShellKind = (typeof SHELLS)[number];

/** The shell named on the command line, or USAGE. */
export function parseShell(text: string | undefined, command: string): ShellKind {
  const shell = SHELLS.find((s) => s === text);
  if (shell === undefined) {
    throw new LatchkeyError(
      'USAGE',
      `'latchkey ${command}' needs a shell: ${SHELLS.join(', ')}${text === undefined ? '' : ` (not '${text.slice(0, 20).replace(/[^\x20-\x7e]/g, '?')}')`}`,
    );
  }
  return shell;
}

function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** True when the value holds a NUL byte (U+0000), which no environment variable can carry. */
export function hasNul(value: string | Uint8Array): boolean {
  return typeof value === 'string' ? value.includes('\0') : value.includes(0);
}

function refuseNul(bytes: Uint8Array): void {
  if (bytes.includes(0)) {
    throw new LatchkeyError(
      'INVALID_VALUE',
      'a value holds a NUL byte, which an environment variable cannot carry; nothing was printed',
    );
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Bytes written as themselves inside `$'…'`: printable ASCII except `'`, `\` and `!`. */
function plainInAnsiC(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e && byte !== 0x27 && byte !== 0x5c && byte !== 0x21;
}

/** `$'…'` for bash and zsh. */
export function quoteAnsiC(value: string | Uint8Array): string {
  const bytes = bytesOf(value);
  refuseNul(bytes);
  let out = "$'";
  for (const byte of bytes) {
    if (plainInAnsiC(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else out += `\\x${hex(byte)}`;
  }
  return `${out}'`;
}

/** A fish word: quoted printable runs joined to unquoted escapes. */
export function quoteFish(value: string | Uint8Array): string {
  const bytes = bytesOf(value);
  refuseNul(bytes);
  let out = '';
  let quoted = false;
  for (const byte of bytes) {
    if (byte >= 0x20 && byte <= 0x7e) {
      if (!quoted) {
        out += "'";
        quoted = true;
      }
      out += byte === 0x27 ? "\\'" : byte === 0x5c ? '\\\\' : String.fromCharCode(byte);
      continue;
    }
    if (quoted) {
      out += "'";
      quoted = false;
    }
    if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte < 0x80) out += `\\x${hex(byte)}`;
    else out += `\\X${hex(byte)}`;
  }
  if (quoted) out += "'";
  return out === '' ? "''" : out;
}

/** One shell word that reads back as exactly `value`'s bytes in `shell`. */
export function quoteForShell(shell: ShellKind, value: string | Uint8Array): string {
  return shell === 'fish' ? quoteFish(value) : quoteAnsiC(value);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export NAME=$'…'` (bash, zsh) or `set -gx NAME …` (fish); the name must be a plain identifier. */
export function exportStatement(shell: ShellKind, name: string, value: string | Uint8Array): string {
  if (!NAME.test(name)) {
    throw new LatchkeyError(
      'VARIABLE_REFUSED',
      'a variable name is not a plain identifier; nothing was printed',
    );
  }
  return shell === 'fish' ? `set -gx ${name} ${quoteFish(value)}` : `export ${name}=${quoteAnsiC(value)}`;
}

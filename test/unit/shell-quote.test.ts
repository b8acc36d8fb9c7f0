import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { exportStatement, quoteAnsiC, quoteFish, SHELLS, type ShellKind } from '../../main/cli/shell/quote';

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const TRICKY = [
  '',
  '-n',
  '-e',
  '--',
  '-',
  "'",
  "\\'",
  '"',
  '$HOME',
  '${HOME}',
  '$(id)',
  '`id`',
  '!!',
  '!$',
  'a!b',
  '\\',
  '\\\\',
  '\\x41',
  '\\n',
  '%s%n%%',
  '\n',
  '\n\n',
  'trailing newline\n',
  'line1\nline2\r\nline3',
  'multi\nline \'single\' "double" $dollar `tick` \\back !bang\n\ttab',
  'héllo ✓ 🎉 日本語',
  '\x1b]0;title\x07\x1b[31mred',
  ' leading and trailing spaces ',
  '*',
  '~',
  '{a,b}',
  '#comment',
  ';echo pwned',
  '| cat',
  "'\\''",
];

function values(): Buffer[] {
  const out: Buffer[] = TRICKY.map((t) => Buffer.from(t, 'utf8'));
  for (let b = 1; b <= 255; b++) out.push(Buffer.from([b]));
  out.push(Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1)));
  const rand = prng(0x1a7c4e1);
  const specials = [0x0a, 0x27, 0x22, 0x5c, 0x24, 0x60, 0x21, 0x0d, 0x09, 0x1b, 0x7f, 0x80, 0xff, 0x2d];
  for (let i = 0; i < 300; i++) {
    const length = Math.floor(rand() * 120);
    const bytes = Buffer.alloc(length);
    for (let j = 0; j < length; j++) {
      bytes[j] =
        rand() < 0.3 ? specials[Math.floor(rand() * specials.length)]! : 1 + Math.floor(rand() * 255);
    }
    out.push(bytes);
  }
  // One large value (still under Linux's 128 KiB per variable).
  const big = Buffer.alloc(100 * 1024);
  for (let j = 0; j < big.length; j++) big[j] = 1 + Math.floor(rand() * 255);
  out.push(big);
  return out;
}

const VALUES = values();
/** A UTF-8 locale and the C locale: the quoting must not depend on either. */
const LOCALES = ['C.UTF-8', 'C'];

/** Each shell evals the statements from a command substitution / pipe (as `eval "$(latchkey env)"`
 * would), then writes each variable with printf '%s' and through `printenv` (the exported bytes). */
function roundTrip(shell: ShellKind, dir: string, locale: string): void {
  const env = { ...process.env, LANG: locale, LC_ALL: locale };
  const statements = join(dir, `${shell}.statements`);
  writeFileSync(statements, VALUES.map((v, i) => exportStatement(shell, `V${i}`, v)).join('\n') + '\n');
  const out = join(dir, shell);
  const writes = VALUES.map(
    (_, i) => `printf '%s' "$V${i}" > '${out}.a${i}'\nprintenv V${i} > '${out}.b${i}'`,
  ).join('\n');
  const script = join(dir, `${shell}.script`);
  writeFileSync(script, `${writes}\n`);
  if (shell === 'bash') {
    execFileSync(
      'bash',
      ['--norc', '--noprofile', '-c', 'eval "$(cat "$1")"; . "$2"', 'bash', statements, script],
      { env },
    );
  } else if (shell === 'zsh') {
    execFileSync('zsh', ['-f', '-c', 'eval "$(cat "$1")"; . "$2"', 'zsh', statements, script], { env });
  } else {
    execFileSync(
      'fish',
      ['--no-config', '-c', 'cat $argv[1] | source; source $argv[2]', statements, script],
      { env },
    );
  }
}

describe('shell quoting: every byte survives in the real shell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-quote-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test(`the test set holds ${VALUES.length} values, every byte 1..255 among them`, () => {
    assert.ok(VALUES.length >= 200 + 255);
    const seen = new Set<number>();
    for (const v of VALUES) for (const b of v) seen.add(b);
    for (let b = 1; b <= 255; b++) assert.ok(seen.has(b), `byte ${b}`);
  });

  for (const [shell, locale] of SHELLS.flatMap((s) => LOCALES.map((l) => [s, l] as const))) {
    test(`${shell} (${locale}): each value reads back byte for byte, as a shell variable and in the environment`, () => {
      roundTrip(shell, dir, locale);
      VALUES.forEach((v, i) => {
        const a = readFileSync(join(dir, `${shell}.a${i}`));
        const b = readFileSync(join(dir, `${shell}.b${i}`));
        assert.ok(
          a.equals(v),
          `${shell} value ${i}: printf gave ${a.toString('hex').slice(0, 80)} for ${v.toString('hex').slice(0, 80)}`,
        );
        assert.ok(
          b.equals(Buffer.concat([v, Buffer.from('\n')])),
          `${shell} value ${i}: the environment holds other bytes`,
        );
      });
    });
  }

  test('the quoted text is printable ASCII with no ! (nothing for history expansion or a terminal)', () => {
    for (const v of VALUES) {
      for (const q of [quoteAnsiC(v), quoteFish(v)]) {
        assert.match(q, /^[\x20-\x7e]*$/);
      }
      assert.ok(!quoteAnsiC(v).includes('!'));
    }
  });

  test('a value holding NUL is refused, in every shell', () => {
    for (const shell of SHELLS) {
      assert.throws(() => exportStatement(shell, 'X', 'a\0b'), { code: 'INVALID_VALUE' });
      assert.throws(() => exportStatement(shell, 'X', Buffer.from([0x61, 0])), { code: 'INVALID_VALUE' });
    }
  });

  test('a name that is not a plain identifier is refused before anything is quoted', () => {
    for (const name of ['', '1A', 'A-B', 'A B', 'A;rm', '$(id)', 'A=B', 'Ä']) {
      assert.throws(() => exportStatement('bash', name, 'v'), { code: 'VARIABLE_REFUSED' }, name);
    }
  });

  test("bash and zsh get export NAME=$'…'; fish gets set -gx", () => {
    assert.equal(exportStatement('bash', 'A', "it's"), "export A=$'it\\x27s'");
    assert.equal(exportStatement('zsh', 'A', 'a\nb'), "export A=$'a\\nb'");
    assert.equal(exportStatement('fish', 'A', "it's\\"), "set -gx A 'it\\'s\\\\'");
    assert.equal(exportStatement('fish', 'A', ''), "set -gx A ''");
    assert.equal(exportStatement('fish', 'A', 'a\nb'), "set -gx A 'a'\\n'b'");
  });
});

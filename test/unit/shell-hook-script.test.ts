import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hookScript } from '../../main/cli/shell/hook-script';
import { quoteForShell, SHELLS, type ShellKind } from '../../main/cli/shell/quote';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-hookscript-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A CLI path with a space, quotes and a $ — the hook must call it as one word. */
const ODD_CLI = ['/opt/no de/bin/node', "/home/o'brien/$HOME/latchkey.js"];

function runShell(shell: ShellKind, script: string): string {
  const file = join(dir, `${shell}-script`);
  writeFileSync(file, script);
  const args =
    shell === 'bash'
      ? ['--norc', '--noprofile', file]
      : shell === 'zsh'
        ? ['-f', file]
        : ['--no-config', file];
  return execFileSync(shell, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } });
}

describe('the hook script', () => {
  for (const shell of SHELLS) {
    test(`${shell}: it parses, and calls latchkey by absolute path as single words`, () => {
      const file = join(dir, `${shell}-hook`);
      writeFileSync(file, hookScript(shell, ODD_CLI));
      if (shell === 'fish') execFileSync('fish', ['--no-config', '--no-execute', file]);
      else execFileSync(shell, shell === 'bash' ? ['--norc', '-n', file] : ['-f', '-n', file]);
      // The callback function, run with a stand-in for node, receives the CLI path intact.
      const hook = hookScript(shell, ['printf', '%s|', ODD_CLI[1]!]);
      const printed = runShell(shell, `${hook}\n__latchkey_cli a 'b c'\n`);
      assert.equal(printed, `${ODD_CLI[1]}|a|b c|`);
    });

    test(`${shell}: set then restore gives back exact old values, unexported stays unexported, unset stays unset`, () => {
      const old = 'old \'value\'\nwith "quotes" $x \\ and ✓';
      const replacement = 'new\nvalue';
      const q = (v: string): string => quoteForShell(shell, v);
      const out = join(dir, `${shell}-restore`);
      const script =
        shell === 'fish'
          ? `set -gx HAD_EXPORTED ${q(old)}
set -g HAD_LOCAL ${q(old)}
__latchkey_set HAD_EXPORTED ${q(replacement)}
__latchkey_set HAD_LOCAL ${q(replacement)}
__latchkey_set NEW_ONE ${q(replacement)}
__latchkey_set NEW_ONE ${q('second set keeps the first saved value')}
printenv HAD_LOCAL NEW_ONE > ${q(out + '.during')}
__latchkey_restore
printf '%s' "$HAD_EXPORTED" > ${q(out + '.exported')}
printenv HAD_EXPORTED > ${q(out + '.env')}
printf '%s' "$HAD_LOCAL" > ${q(out + '.local')}
printenv HAD_LOCAL; or echo not-in-env > ${q(out + '.local-env')}
set -q NEW_ONE; or echo unset > ${q(out + '.new')}
echo "[$__latchkey_names]" > ${q(out + '.names')}
`
          : `export HAD_EXPORTED=${q(old)}
HAD_LOCAL=${q(old)}
__latchkey_set HAD_EXPORTED ${q(replacement)}
__latchkey_set HAD_LOCAL ${q(replacement)}
__latchkey_set NEW_ONE ${q(replacement)}
__latchkey_set NEW_ONE ${q('second set keeps the first saved value')}
printenv HAD_LOCAL NEW_ONE > ${q(out + '.during')}
__latchkey_restore
printf '%s' "$HAD_EXPORTED" > ${q(out + '.exported')}
printenv HAD_EXPORTED > ${q(out + '.env')}
printf '%s' "$HAD_LOCAL" > ${q(out + '.local')}
printenv HAD_LOCAL || echo not-in-env > ${q(out + '.local-env')}
[ -n "\${NEW_ONE+x}" ] || echo unset > ${q(out + '.new')}
echo "[\${__latchkey_names# }]" > ${q(out + '.names')}
`;
      runShell(shell, `${hookScript(shell, ODD_CLI)}\n${script}`);
      assert.equal(
        readFileSync(`${out}.during`, 'utf8'),
        `${replacement}\nsecond set keeps the first saved value\n`,
      );
      assert.equal(readFileSync(`${out}.exported`, 'utf8'), old);
      assert.equal(readFileSync(`${out}.env`, 'utf8'), `${old}\n`);
      assert.equal(readFileSync(`${out}.local`, 'utf8'), old);
      assert.equal(readFileSync(`${out}.local-env`, 'utf8'), 'not-in-env\n');
      assert.equal(readFileSync(`${out}.new`, 'utf8'), 'unset\n');
      assert.equal(readFileSync(`${out}.names`, 'utf8'), '[]\n');
    });
  }

  test('bash: evaluating the hook twice (an rc file sourced again) installs it once and keeps PROMPT_COMMAND', () => {
    const hook = hookScript('bash', ODD_CLI);
    const file = join(dir, 'bash-twice');
    writeFileSync(file, hook);
    const printed = runShell(
      'bash',
      `PROMPT_COMMAND='mine'\n. '${file}'\n__latchkey_names=' KEEP'\n. '${file}'\nprintf '%s|%s' "$PROMPT_COMMAND" "$__latchkey_names"\n`,
    );
    assert.equal(printed, '__latchkey_hook;mine| KEEP');
    const asArray = runShell(
      'bash',
      `PROMPT_COMMAND=(one two)\n. '${file}'\n. '${file}'\nprintf '%s,' "\${PROMPT_COMMAND[@]}"\n`,
    );
    assert.equal(asArray, '__latchkey_hook,one,two,');
  });
});

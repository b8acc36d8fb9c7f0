import { LatchkeyError } from '../../core/errors';
import { formatFieldRef } from '../../core/vault/ref';
import type { CommandSpec } from '../command';
import { PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION } from '../direct-vault';
import { writeAll } from '../io';
import { fetchValues, missingError, planVariables } from '../secret-source';
import { exportStatement, hasNul, parseShell } from '../shell/quote';
import { shellRefusal } from '../shell/shell-variables';

export const command: CommandSpec = {
  name: 'env',
  usage: '--shell <bash|zsh|fish> [--env E] [--secret NAME=ref]... [--password-stdin]',
  help: `Prints export statements for the variables of the repo's latchkey.yml (or of each
--secret NAME=ref), for a script to eval:
  eval "$(latchkey env --shell bash)"            bash, zsh
  latchkey env --shell fish | source             fish

Values are quoted so that every byte reads back exactly in that shell; the output is printable
ASCII. A value holding a NUL byte cannot be an environment variable and is refused. A required
variable missing from your vault is an error that names it, and nothing is printed.

The values end up in the shell's environment and every program it starts inherits them; prefer
'latchkey run' to give secrets to one program, and the shell hook ('latchkey shell-hook') for an
interactive shell.`,
  options: {
    shell: { type: 'string' },
    env: { type: 'string' },
    secret: { type: 'string', multiple: true },
    ...PASSWORD_STDIN_OPTION,
  },
  optionHelp: {
    shell: 'the shell that evals the output: bash, zsh or fish',
    env: "the environment (development or staging; default: the schema's default_env)",
    secret: 'NAME=lk://project/env/item/field instead of latchkey.yml (repeatable)',
    'password-stdin': PASSWORD_STDIN_HELP,
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const shell = parseShell(args.values.shell as string | undefined, 'env --shell');
    const secrets = args.values.secret as string[] | undefined;
    const environment = args.values.env as string | undefined;
    if (secrets !== undefined && environment !== undefined) {
      throw new LatchkeyError(
        'USAGE',
        "--env picks the schema's environment; --secret refs name their own — use one or the other",
      );
    }
    const plan = planVariables({
      cwd: process.cwd(),
      ...(secrets ? { secrets } : {}),
      ...(environment !== undefined ? { environment } : {}),
    });
    for (const v of plan.variables) {
      const why = shellRefusal(v.name);
      if (why !== undefined) {
        throw new LatchkeyError(
          'VARIABLE_REFUSED',
          `${why}; a shell cannot take a secret under that name — rename it, or use 'latchkey run'`,
        );
      }
    }
    const read = await fetchValues(
      plan.variables.map((v) => v.ref),
      { env, io, passwordStdin: args.values['password-stdin'] === true },
    );
    const missing = missingError(plan, read.missing);
    if (missing) throw missing;
    const lines: string[] = [];
    for (const v of plan.variables) {
      const value = read.values[formatFieldRef(v.ref)];
      if (value === undefined) continue; // optional in this environment and absent
      if (hasNul(value)) {
        throw new LatchkeyError(
          'INVALID_VALUE',
          `the value of ${v.name} (${formatFieldRef(v.ref)}) holds a NUL byte, which an environment variable cannot carry; nothing was printed`,
        );
      }
      lines.push(exportStatement(shell, v.name, value));
    }
    await writeAll(io.stdout, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  },
};

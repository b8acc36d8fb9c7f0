import type { CommandSpec } from '../command';
import type { MaskMode, RunOptions } from '../run/options';

export const command: CommandSpec = {
  name: 'run',
  usage:
    '[--env E] [--project P] [--secret NAME=ref]... [--mask|--no-mask] [--password-stdin] -- <command> [args...]',
  help: `Runs a command with the secrets its repo declares added to its environment, e.g.
  latchkey run -- npm test
  latchkey run --env staging -- ./scripts/smoke.sh
  latchkey run --secret STRIPE_KEY=lk://payments/dev/stripe/secret_key -- node app.js

The variables come from the latchkey.yml in this directory or the nearest one above it (its
default_env unless --env), or only from --secret NAME=ref when given. A required variable your vault
lacks stops everything before the command starts, naming the variable, its ref and its owner.

Values come from the running agent or app; with none, the vault is opened here and the master
password asked on the terminal (or, with --password-stdin, read from the first line of standard
input — the rest of standard input is the command's). Values go only into the command's
environment: never its arguments, never a file.

The command runs without a shell, with its arguments exactly as given; signals are passed on and
latchkey exits with the command's status (128+n if it died of signal n; 127 if it was not found).
Output to a terminal is the command's own; output to a pipe or file has every injected value of 4
bytes or more replaced by <redacted:NAME> — a safety net, not a guarantee (see docs/run.md).`,
  options: {
    env: { type: 'string' },
    project: { type: 'string' },
    secret: { type: 'string', multiple: true },
    mask: { type: 'boolean' },
    'no-mask': { type: 'boolean' },
    'password-stdin': { type: 'boolean' },
  },
  optionHelp: {
    env: "the environment to use instead of latchkey.yml's default_env (development or staging)",
    project: "refuse to run unless the latchkey.yml found is this project's",
    secret: 'inject NAME from this ref instead of reading latchkey.yml (repeatable)',
    mask: 'mask values even in output to a terminal (the command then writes to a pipe)',
    'no-mask': 'never mask: the command writes straight to where latchkey writes',
    'password-stdin': 'read the master password from the first line of standard input (direct mode)',
  },
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER, names: 'a command and its arguments' },
  async run({ args, env }) {
    const { runCommand, processRunContext } = require('../run/launch') as typeof import('../run/launch');
    const { checkRunOptions } = require('../run/options') as typeof import('../run/options');
    const v = args.values;
    if (v.mask === true && v['no-mask'] === true) {
      const { LatchkeyError } = require('../../core/errors') as typeof import('../../core/errors');
      throw new LatchkeyError(
        'USAGE',
        "--mask and --no-mask contradict each other; see 'latchkey run --help'",
      );
    }
    const mask: MaskMode = v.mask === true ? 'always' : v['no-mask'] === true ? 'never' : 'auto';
    const options: RunOptions = {
      ...(typeof v.env === 'string' ? { environment: v.env } : {}),
      ...(typeof v.project === 'string' ? { project: v.project } : {}),
      secrets: Array.isArray(v.secret) ? (v.secret as string[]) : [],
      mask,
      passwordStdin: v['password-stdin'] === true,
      command: args.positionals,
    };
    checkRunOptions(options);
    // The command gets this process's own descriptors, whatever `io` is (docs/run.md).
    return runCommand(options, processRunContext(env), env);
  },
};

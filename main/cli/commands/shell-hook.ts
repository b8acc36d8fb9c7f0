import { isAbsolute } from 'node:path';
import type { CommandSpec } from '../command';
import { writeAll } from '../io';
import { parseShell } from '../shell/quote';

export const command: CommandSpec = {
  name: 'shell-hook',
  usage: '<bash|zsh|fish>',
  help: `Prints the hook that exports a repo's secrets while you work in it, direnv-style. Add to
your rc file:
  bash  ~/.bashrc                   eval "$(latchkey shell-hook bash)"
  zsh   ~/.zshrc                    eval "$(latchkey shell-hook zsh)"
  fish  ~/.config/fish/config.fish  latchkey shell-hook fish | source

Entering a directory whose latchkey.yml you allowed ('latchkey allow') exports its variables for
the default environment, from the running agent; leaving the repo puts back what was there
before. A schema that changed since you allowed it exports nothing until you allow it again. The
hook never asks for a password: with the vault locked or no agent running it says so in one line.
Every program started from that shell inherits the values; see docs/shell.md.

--export, --dir, --state and --pid are how the hook itself asks what to do after a change.`,
  options: {
    export: { type: 'boolean' },
    dir: { type: 'string' },
    state: { type: 'string' },
    pid: { type: 'string' },
  },
  optionHelp: {
    export: "(used by the hook) print the shell code for --dir's repo",
    dir: "(used by the hook) the shell's $PWD",
    state: "(used by the hook) the hook's state from its last answer",
    pid: "(used by the hook) the shell's process id",
  },
  positionals: { min: 1, max: 1, names: 'a shell: bash, zsh or fish' },
  async run({ args, io, env }) {
    const shell = parseShell(args.positionals[0], 'shell-hook');
    if (args.values.export !== true) {
      const { hookScript } = require('../shell/hook-script') as typeof import('../shell/hook-script');
      await writeAll(io.stdout, hookScript(shell));
      return;
    }
    const { hookExport } = require('../shell/hook-export') as typeof import('../shell/hook-export');
    const dir =
      typeof args.values.dir === 'string' && isAbsolute(args.values.dir) ? args.values.dir : process.cwd();
    const pid =
      typeof args.values.pid === 'string' && /^\d{1,10}$/.test(args.values.pid)
        ? args.values.pid
        : String(process.ppid);
    const state = typeof args.values.state === 'string' ? args.values.state : '';
    const answer = await hookExport({ shell, dir, state, pid, env });
    if (answer.message !== undefined) await writeAll(io.stderr, `${answer.message}\n`);
    await writeAll(io.stdout, answer.code);
    // A connection abandoned at the deadline would keep Node waiting for a reply that never comes.
    if (answer.abandoned) setTimeout(() => process.exit(0), 0).unref();
  },
};

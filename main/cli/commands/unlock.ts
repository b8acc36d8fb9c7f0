import { wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import type { CommandSpec } from '../command';
import { connectAgent } from '../agent-connection';
import { PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'unlock',
  usage: '[--password-stdin]',
  help: `Unlocks the running agent (or the desktop app) with your master password, so that every
terminal can use the vault until it locks again.`,
  options: { ...PASSWORD_STDIN_OPTION },
  optionHelp: { 'password-stdin': PASSWORD_STDIN_HELP },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const agent = await connectAgent(env);
    if (!agent)
      throw new LatchkeyError(
        'AGENT_NOT_RUNNING',
        "no agent is running; start one with 'latchkey agent' or open the app",
      );
    try {
      const status = (await agent.call('status')) as { locked: boolean };
      if (!status.locked) {
        await writeAll(io.stderr, 'The vault is already unlocked.\n');
        return;
      }
      const input = new InputSource(io, args.values['password-stdin'] === true);
      const password = await input.password();
      try {
        await agent.call('unlock', { password: password.toString('utf8') });
      } finally {
        wipe(password);
        input.dispose();
      }
      await writeAll(io.stderr, 'Unlocked.\n');
    } finally {
      agent.close();
    }
  },
};

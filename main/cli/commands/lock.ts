import { LatchkeyError } from '../../core/errors';
import type { CommandSpec } from '../command';
import { connectAgent } from '../agent-connection';
import { writeAll } from '../io';

export const command: CommandSpec = {
  name: 'lock',
  usage: '',
  help: `Locks the running agent (or the desktop app) now: the data key is dropped from memory and
every request gets LOCKED until the next 'latchkey unlock'.`,
  options: {},
  optionHelp: {},
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ io, env }) {
    const agent = await connectAgent(env);
    if (!agent) throw new LatchkeyError('AGENT_NOT_RUNNING', 'no agent is running; there is nothing to lock');
    try {
      await agent.call('lock');
      await writeAll(io.stderr, 'Locked.\n');
    } finally {
      agent.close();
    }
  },
};

import { wipe } from '../../core/crypto/secret';
import { formatFieldRef, parseFieldRef } from '../../core/vault/ref';
import { connectAgent } from '../agent-connection';
import type { CommandSpec } from '../command';
import { openAudited, PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'get',
  usage: '<ref> [--previous] [--password-stdin]',
  help: `Prints one value exactly as stored: no trailing newline, no decoration, e.g.
  latchkey get lk://payments/development/stripe/secret_key | pbcopy

With --previous, prints the value an item synced from a store had before its last rotation,
while the grace period (24 h) lasts.

Prefer 'latchkey run' to give secrets to programs: a value printed on a terminal stays in its scrollback.`,
  options: { ...PASSWORD_STDIN_OPTION, previous: { type: 'boolean' } },
  optionHelp: {
    'password-stdin': PASSWORD_STDIN_HELP,
    previous: "the value before the item's last rotation (during the grace period)",
  },
  positionals: { min: 1, max: 1, names: 'one reference' },
  async run({ args, io, env }) {
    const ref = parseFieldRef(args.positionals[0]!);
    const agent = args.values['password-stdin'] === true ? undefined : await connectAgent(env);
    if (agent) {
      try {
        const { values } = (await agent.call('resolve', {
          refs: [formatFieldRef(ref)],
          previous: args.values.previous === true,
          caller: { purpose: 'get' },
        })) as { values: Record<string, string> };
        await writeAll(io.stdout, values[formatFieldRef(ref)] ?? '');
      } finally {
        agent.close();
      }
      return;
    }
    const store = vaultStore(env);
    const input = new InputSource(io, args.values['password-stdin'] === true);
    const password = await input.password();
    try {
      const v = await openAudited(store, password);
      try {
        const secret = v.vault.readField(ref, { previous: args.values.previous === true });
        try {
          // Recorded before the value leaves; if the line cannot be written, nothing is printed.
          v.record({ op: 'read', ref: formatFieldRef(ref), result: 'ok' });
          await writeAll(io.stdout, secret.reveal());
        } finally {
          secret.dispose();
        }
      } finally {
        v.close();
      }
    } finally {
      wipe(password);
      input.dispose();
    }
  },
};

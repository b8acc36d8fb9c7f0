import { wipe } from '../../core/crypto/secret';
import { formatItemRef, parseItemOrFieldRef } from '../../core/vault/ref';
import type { CommandSpec } from '../command';
import { changeAudited, PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'rm',
  usage: '<ref> [--password-stdin]',
  help: `Removes one field of a local item (lk://project/env/item/field), or the whole local item
(lk://project/env/item). Items synced from a store are removed by the store, not here.`,
  options: { ...PASSWORD_STDIN_OPTION },
  optionHelp: { 'password-stdin': PASSWORD_STDIN_HELP },
  positionals: { min: 1, max: 1, names: 'one reference' },
  async run({ args, io, env }) {
    const ref = parseItemOrFieldRef(args.positionals[0]!);
    const store = vaultStore(env);
    const input = new InputSource(io, args.values['password-stdin'] === true);
    const password = await input.password();
    try {
      const what = ref.field === undefined ? formatItemRef(ref) : `${formatItemRef(ref)}/${ref.field}`;
      const { removedFields } = await changeAudited(store, password, (v) => {
        const removed = v.vault.remove(ref);
        v.record({ op: 'remove', ref: what, result: 'ok' });
        return removed;
      });
      await writeAll(
        io.stderr,
        `Removed ${what} (${removedFields} field${removedFields === 1 ? '' : 's'})\n`,
      );
    } finally {
      wipe(password);
      input.dispose();
    }
  },
};

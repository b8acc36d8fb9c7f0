import { wipe } from '../../core/crypto/secret';
import type { CommandSpec } from '../command';
import { changeAudited, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'passwd',
  usage: '[--password-stdin]',
  help: `Changes the master password. Only the wrapped data key is rewritten (with a fresh salt);
the items are untouched. With --password-stdin, the first line of standard input is the current
password and the second line the new one.`,
  options: { 'password-stdin': { type: 'boolean' } },
  optionHelp: {
    'password-stdin': 'read the current and the new password from the first two lines of standard input',
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const store = vaultStore(env);
    const input = new InputSource(io, args.values['password-stdin'] === true);
    const current = await input.password('Current master password: ');
    let next: Buffer | undefined;
    try {
      // Check the current password before asking for a new one.
      (await store.open(current)).close();
      next = await input.newPassword('New master password: ');
      const newPassword = next;
      await changeAudited(store, current, (v) => v.vault.changePassword(newPassword));
      await writeAll(io.stderr, 'Master password changed.\n');
    } finally {
      wipe(current, next);
      input.dispose();
    }
  },
};

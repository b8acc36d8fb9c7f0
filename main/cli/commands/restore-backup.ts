import { wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import { MAX_FILE_BYTES, readHeader } from '../../core/vault/format';
import { readPrivateFile } from '../../core/vault/private-paths';
import type { CommandSpec } from '../command';
import { vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'restore-backup',
  usage: '[--yes] [--password-stdin]',
  help: `Brings back the previous generation of the vault (kept at every save) after checking that it
opens with your password. The replaced file becomes the new backup, so a restore can be undone by
running restore-backup again. Asks for confirmation unless --yes is given.`,
  options: { 'password-stdin': { type: 'boolean' }, yes: { type: 'boolean' } },
  optionHelp: {
    'password-stdin': 'read the password of the backup from the first line of standard input',
    yes: 'do not ask for confirmation',
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const store = vaultStore(env);
    const backup = readPrivateFile(store.paths.backup, MAX_FILE_BYTES);
    if (backup === undefined) {
      throw new LatchkeyError(
        'NO_BACKUP',
        `there is no previous generation at ${store.paths.backup} to restore`,
      );
    }
    const backupGeneration = readHeader(backup).generation;
    let current = 'missing';
    try {
      current = `generation ${store.readHeader().generation}`;
    } catch (error) {
      if (error instanceof LatchkeyError && error.code !== 'VAULT_NOT_FOUND')
        current = `unreadable (${error.code})`;
    }
    const input = new InputSource(io, args.values['password-stdin'] === true);
    try {
      if (args.values.yes !== true) {
        const ok = await input.confirm(
          `Replace the current vault (${current}) with the backup (generation ${backupGeneration})? [y/N] `,
        );
        if (!ok) throw new LatchkeyError('CANCELLED', 'nothing was restored');
      }
      const password = await input.password('Master password of the backup: ');
      try {
        const { newGeneration } = await store.restoreBackup(password);
        await writeAll(
          io.stderr,
          `Restored the backup (generation ${backupGeneration}) as generation ${newGeneration}; the replaced vault is now the backup.\n`,
        );
      } finally {
        wipe(password);
      }
    } finally {
      input.dispose();
    }
  },
};

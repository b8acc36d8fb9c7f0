import { Secret, wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import { formatFieldRef, parseFieldRef } from '../../core/vault/ref';
import type { CommandSpec } from '../command';
import { changeAudited, PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'set',
  usage: '<ref> [--password-stdin]',
  help: `Adds or updates one field of a local (personal) item, e.g.
  latchkey set lk://payments/development/stripe/secret_key

The value is never taken from the command line. On a terminal it is asked with echo off;
otherwise it is read from standard input (after the password line with --password-stdin), with
one trailing newline removed. Production environments and live production credentials are refused.`,
  options: { ...PASSWORD_STDIN_OPTION },
  optionHelp: { 'password-stdin': PASSWORD_STDIN_HELP },
  positionals: { min: 1, max: 1, names: 'one reference' },
  async run({ args, io, env }) {
    const ref = parseFieldRef(args.positionals[0]!);
    const store = vaultStore(env);
    const input = new InputSource(io, args.values['password-stdin'] === true);
    const password = await input.password();
    let value: Buffer | undefined;
    try {
      value = await input.value(`Value for ${formatFieldRef(ref)}: `);
      if (value.length === 0) {
        throw new LatchkeyError(
          'INVALID_VALUE',
          `no value was given for ${formatFieldRef(ref)}; nothing was changed`,
        );
      }
      const secret = new Secret(value);
      try {
        await changeAudited(store, password, (v) => {
          v.record({ op: 'set', ref: formatFieldRef(ref), result: 'ok' });
          v.vault.setField(ref, secret);
        });
      } finally {
        secret.dispose();
      }
      await writeAll(io.stderr, `Saved ${formatFieldRef(ref)}\n`);
    } finally {
      wipe(password, value);
      input.dispose();
    }
  },
};

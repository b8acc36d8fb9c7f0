import { LatchkeyError } from '../../core/errors';
import { calibrateKdf } from '../../core/crypto/kdf';
import { wipe } from '../../core/crypto/secret';
import type { CommandSpec } from '../command';
import { PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'init',
  usage: '[--password-stdin] [--kdf-target-ms N] [--kdf-max-memory-mib N]',
  help: `Creates your encrypted vault in the data directory (LATCHKEY_HOME, or the platform's
per-user data directory). Refuses to overwrite an existing vault.

The key derivation (Argon2id) is calibrated on this machine so that unlocking takes about
half a second, with at least 64 MiB of memory. There is no way to recover a forgotten master
password: the vault cannot be opened without it.`,
  options: {
    ...PASSWORD_STDIN_OPTION,
    'kdf-target-ms': { type: 'string' },
    'kdf-max-memory-mib': { type: 'string' },
  },
  optionHelp: {
    'password-stdin': PASSWORD_STDIN_HELP,
    'kdf-target-ms':
      'how long unlocking should take on this machine (default 500; the 64 MiB floor always applies)',
    'kdf-max-memory-mib': 'the most memory the key derivation may use (default 1024)',
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const targetMs = intOption(args.values['kdf-target-ms'], 'kdf-target-ms', 500, 1, 10_000);
    const maxMiB = intOption(args.values['kdf-max-memory-mib'], 'kdf-max-memory-mib', 1024, 64, 2048);
    const store = vaultStore(env);
    if (store.exists()) {
      throw new LatchkeyError(
        'VAULT_EXISTS',
        `a vault already exists at ${store.paths.vault}; Latchkey never overwrites one`,
      );
    }
    const input = new InputSource(io, args.values['password-stdin'] === true);
    const password = await input.newPassword('Choose a master password: ');
    try {
      const { params, predictedMs } = await calibrateKdf(targetMs, maxMiB * 1024);
      const vault = await store.create(password, params);
      vault.close();
      await writeAll(
        io.stderr,
        `Created ${store.paths.vault} (Argon2id ${params.memoryKiB / 1024} MiB, ${params.iterations} passes: ` +
          `unlock ≈ ${(predictedMs / 1000).toFixed(2)} s). Keep your master password safe: it cannot be recovered.\n`,
      );
    } finally {
      wipe(password);
      input.dispose();
    }
  },
};

function intOption(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new LatchkeyError('USAGE', `--${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

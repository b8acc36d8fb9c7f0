/**
 * Direct mode: until an agent holds the vault unlocked, a command opens the vault itself.
 */
import { dataDir, dataPaths } from '../core/vault/paths';
import { VaultStore } from '../core/vault/vault-store';
import type { OptionSpec } from './command';

export function vaultStore(env: NodeJS.ProcessEnv): VaultStore {
  return new VaultStore(dataPaths(dataDir(env)));
}

export const PASSWORD_STDIN_OPTION: OptionSpec = { 'password-stdin': { type: 'boolean' } };
export const PASSWORD_STDIN_HELP =
  'read the master password from the first line of standard input (for scripts)';

/**
 * Where Latchkey keeps its data. `LATCHKEY_HOME` overrides (tests always set it); otherwise the
 * platform's per-user data directory.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LATCHKEY_HOME) return env.LATCHKEY_HOME;
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Latchkey');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Latchkey');
    default:
      return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'latchkey');
  }
}

/** The files of one data directory. */
export interface DataPaths {
  readonly dir: string;
  readonly vault: string;
  readonly backup: string;
  readonly lock: string;
}

export function dataPaths(dir: string = dataDir()): DataPaths {
  return {
    dir,
    vault: join(dir, 'vault.lkv'),
    backup: join(dir, 'vault.lkv.bak'),
    lock: join(dir, 'vault.lock'),
  };
}

/**
 * A test bed for sync: a temp LATCHKEY_HOME with an initialised vault, a Vault-API-compatible
 * server on a random loopback port, and helpers to run the CLI against both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVaultServer, type VaultServer } from '../fixtures/vault-server';
import { runCli, type CliResult } from './cli';
import { tempHome } from './temp-home';

export const MASTER = 'sync test passphrase';

export interface SyncBed {
  readonly home: string;
  readonly dir: string;
  readonly server: VaultServer;
  /** Every stdout/stderr the CLI produced, for canary sweeps. */
  readonly outputs: string[];
  cli(args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<CliResult>;
  sync(extra?: string[]): Promise<CliResult>;
  get(ref: string, extra?: string[]): Promise<CliResult>;
  vaultBytes(): Buffer;
  close(): Promise<void>;
}

export async function syncBed(
  options: { rootToken?: string; tls?: { cert: string; key: string } } = {},
): Promise<SyncBed> {
  const t = tempHome('latchkey-sync-');
  const server = await startVaultServer({
    ...(options.rootToken ? { rootToken: options.rootToken } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const outputs: string[] = [];
  const cli = async (
    args: string[],
    input = `${MASTER}\n`,
    env: NodeJS.ProcessEnv = {},
  ): Promise<CliResult> => {
    const r = await runCli(args, { home: t.home, input, env });
    outputs.push(r.stdout.toString('utf8'), r.stderr);
    return r;
  };
  const init = await cli(['init', '--password-stdin', '--kdf-target-ms', '1']);
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  return {
    home: t.home,
    dir: t.dir,
    server,
    outputs,
    cli,
    sync: (extra = []) => cli(['sync', '--password-stdin', ...extra]),
    get: (ref, extra = []) => cli(['get', ref, '--password-stdin', ...extra]),
    vaultBytes: () => readFileSync(join(t.home, 'vault.lkv')),
    close: async () => {
      await server.close();
      t.cleanup();
    },
  };
}

/** Adds the bed's server as store `corp` with the given token (root by default). */
export async function addStore(
  bed: SyncBed,
  extra: string[] = [],
  token = bed.server.rootToken,
): Promise<CliResult> {
  return bed.cli(
    [
      'store',
      'add',
      'corp',
      '--addr',
      bed.server.url,
      '--mount',
      'secret',
      '--token-stdin',
      '--password-stdin',
      ...extra,
    ],
    `${MASTER}\n${token}\n`,
  );
}

/** Every file under a directory, as bytes. */
export function allFiles(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...allFiles(p));
    else if (entry.isFile()) out.push(readFileSync(p));
  }
  return out;
}

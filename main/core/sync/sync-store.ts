/**
 * One store's sync from end to end: its credentials from the vault, the token checked (and
 * renewed when due), the plan built and applied, and the outcome recorded in the vault's metadata.
 * The caller opens the vault under the writer lock and saves once after all stores.
 */
import { readFileSync } from 'node:fs';
import { LatchkeyError } from '../errors';
import { pace, turnSpent } from '../vault/atomic-write';
import type { Vault } from '../vault/vault';
import { applySync, planSync, type RefusalRecord, type SyncCounts, type SyncProgress } from './engine';
import { parseLayout } from './layout';
import { parsedFilters, type StoreConfig } from './store-config';
import { checkToken, renewIfDue } from './vault-kv/auth';
import { Kv2Provider } from './vault-kv/kv2-provider';
import { VaultApi } from './vault-kv/vault-api';

export const DEFAULT_GRACE_MS = 24 * 3600 * 1000;

export interface SyncSettings {
  readonly concurrency: number;
  readonly deadlineMs: number;
  readonly requestTimeoutMs: number;
  readonly graceMs: number;
  readonly onProgress?: (store: string, p: SyncProgress) => void;
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  concurrency: 8,
  deadlineMs: 120_000,
  requestTimeoutMs: 10_000,
  graceMs: DEFAULT_GRACE_MS,
};

export interface StoreSyncState {
  readonly lastGoodSync?: string;
  readonly refusals: readonly RefusalRecord[];
}

export interface StoreSyncResult {
  readonly store: string;
  readonly ok: boolean;
  readonly counts?: SyncCounts;
  readonly refusals: readonly RefusalRecord[];
  readonly error?: { readonly code: string; readonly message: string };
  readonly lastGoodSync?: string;
  readonly durationMs: number;
  readonly tokenRenewed: boolean;
}

export function tokenKey(store: string): string {
  return `store-token:${store}`;
}

/** The recorded sync state of every store. */
export function syncStates(vault: Vault): Record<string, StoreSyncState> {
  const raw = vault.meta.sync;
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, StoreSyncState>) : {};
}

/** A VaultApi for a configured store (CA file read, namespace set). */
export function storeApi(
  config: StoreConfig,
  settings: Pick<SyncSettings, 'requestTimeoutMs' | 'concurrency'>,
): VaultApi {
  let ca: string | undefined;
  if (config.caCert) {
    try {
      ca = readFileSync(config.caCert, 'utf8');
    } catch {
      throw new LatchkeyError(
        'INVALID_STORE_CONFIG',
        `cannot read the CA file ${config.caCert} of store '${config.name}'`,
      );
    }
  }
  return new VaultApi({
    store: config.name,
    addr: config.addr,
    ...(config.namespace ? { namespace: config.namespace } : {}),
    ...(ca ? { ca } : {}),
    requestTimeoutMs: settings.requestTimeoutMs,
    concurrency: settings.concurrency,
  });
}

/** Syncs one store into the (unlocked, writable) vault. Never throws for store failures: see `ok`. */
export async function syncStore(
  vault: Vault,
  config: StoreConfig,
  settings: SyncSettings = DEFAULT_SYNC_SETTINGS,
): Promise<StoreSyncResult> {
  const started = Date.now();
  const previous = syncStates(vault)[config.name];
  let tokenRenewed = false;
  const api = storeApi(config, settings);
  try {
    const token = vault.readSystemSecret(tokenKey(config.name));
    if (token === undefined) {
      throw new LatchkeyError(
        'STORE_AUTH_FAILED',
        `there are no credentials for store '${config.name}'; run 'latchkey store login ${config.name}'`,
      );
    }
    api.useToken(token.reveal().toString('utf8'));
    token.dispose();
    api.deadline = started + settings.deadlineMs;
    const provider = new Kv2Provider(api, config.mount);
    await checkToken(api, config.name);
    const info = await provider.whoami();
    tokenRenewed = (await renewIfDue(api, info)).renewed;
    const known = new Map<string, number>();
    for (const [path, item] of vault.storeItemEntries(config.name)) {
      if (turnSpent()) await pace();
      if (item.origin.kind === 'store') known.set(path, item.origin.version);
    }
    const filters = parsedFilters(config);
    const plan = await planSync(provider, parseLayout(config.layout), known, {
      concurrency: settings.concurrency,
      filters,
      refusedBefore: previous?.refusals ?? [],
      ...(settings.onProgress
        ? { onProgress: (p: SyncProgress) => settings.onProgress?.(config.name, p) }
        : {}),
    });
    const now = new Date();
    const counts = await applySync(
      vault,
      config.name,
      plan,
      new Date(now.getTime() + settings.graceMs).toISOString(),
      filters,
    );
    const lastGoodSync = now.toISOString();
    vault.setMeta('sync', { ...syncStates(vault), [config.name]: { lastGoodSync, refusals: plan.refusals } });
    return {
      store: config.name,
      ok: true,
      counts,
      refusals: plan.refusals,
      lastGoodSync,
      durationMs: Date.now() - started,
      tokenRenewed,
    };
  } catch (error) {
    const e =
      error instanceof LatchkeyError ? error : new LatchkeyError('INTERNAL', 'the sync stopped unexpectedly');
    return {
      store: config.name,
      ok: false,
      refusals: previous?.refusals ?? [],
      error: { code: e.code, message: e.message },
      ...(previous?.lastGoodSync ? { lastGoodSync: previous.lastGoodSync } : {}),
      durationMs: Date.now() - started,
      tokenRenewed,
    };
  } finally {
    api.close();
  }
}

/**
 * Adding and removing a store's presence in the vault, shared by `latchkey store` and the app's
 * Settings view: checking a token against the store before it is kept, and forgetting a store's
 * token, synced items and sync state.
 */
import type { Secret } from '../crypto/secret';
import type { Vault } from '../vault/vault';
import type { StoreConfig } from './store-config';
import { DEFAULT_SYNC_SETTINGS, storeApi, syncStates, tokenKey } from './sync-store';
import { checkToken } from './vault-kv/auth';
import { Kv2Provider } from './vault-kv/kv2-provider';

/**
 * Checks that `token` is accepted by the store and that its mount is a KV version 2 engine:
 * STORE_AUTH_FAILED, STORE_PERMISSION_DENIED, STORE_UNAVAILABLE, STORE_TLS_UNTRUSTED or
 * STORE_PROTOCOL otherwise. Nothing is kept.
 */
export async function checkStoreAccess(config: StoreConfig, token: Secret): Promise<void> {
  const api = storeApi(config, DEFAULT_SYNC_SETTINGS);
  try {
    api.useToken(token.reveal().toString('utf8'));
    await checkToken(api, config.name);
    await new Kv2Provider(api, config.mount).checkMount();
  } finally {
    api.close();
  }
}

/** Seals the store's token into the (writable) vault, replacing any earlier one. */
export function keepStoreToken(vault: Vault, store: string, token: Secret): void {
  vault.setSystemSecret(tokenKey(store), token);
}

/** True when the vault holds a token for the store. */
export function hasStoreToken(vault: Vault, store: string): boolean {
  const token = vault.readSystemSecret(tokenKey(store));
  if (token === undefined) return false;
  token.dispose();
  return true;
}

/** Forgets a store inside the (writable) vault: its token, its synced items, its sync state. */
export function forgetStore(vault: Vault, store: string): number {
  vault.deleteSystemSecret(tokenKey(store));
  let removed = 0;
  for (const path of vault.storeItems(store).keys()) if (vault.removeStoreItem(store, path)) removed++;
  const { [store]: _gone, ...rest } = syncStates(vault);
  vault.setMeta('sync', rest);
  return removed;
}

/**
 * What the CLI's provisioning commands and the app's Team view share around the provisioning
 * calls: which store, the store's admin calls made with the token sealed in the vault, and invites.
 */
import { LatchkeyError } from '../errors';
import type { StoreConfig } from '../sync/store-config';
import { DEFAULT_SYNC_SETTINGS, storeApi, tokenKey } from '../sync/sync-store';
import type { Vault } from '../vault/vault';
import { targetKey, type GrantTarget } from './grants';
import { StoreCalls } from './store-calls';

/** How long an invite's wrapping token may wait to be used, and how long the token itself lives. */
export const INVITE_WRAP_TTL = '24h';
export const INVITE_TOKEN_TTL = '720h';

/** The store named, or the only one configured; STORE_NOT_FOUND with `hint` saying how to name one. */
export function chooseStore(
  stores: readonly StoreConfig[],
  name: string | undefined,
  hint: { readonly none: string; readonly many: string },
): StoreConfig {
  if (name !== undefined) {
    const found = stores.find((s) => s.name === name);
    if (found) return found;
    throw new LatchkeyError(
      'STORE_NOT_FOUND',
      `there is no store named '${name.slice(0, 40)}'; 'latchkey store ls' lists them`,
    );
  }
  if (stores.length === 1) return stores[0]!;
  throw new LatchkeyError(
    'STORE_NOT_FOUND',
    stores.length === 0
      ? hint.none
      : `${stores.length} stores are configured (${stores.map((s) => s.name).join(', ')}); ${hint.many}`,
  );
}

/** Runs `work` with the store's admin calls, made with the lead's token from the unlocked vault. */
export async function withStoreCalls<T>(
  vault: Vault,
  config: StoreConfig,
  dryRun: boolean,
  work: (calls: StoreCalls) => Promise<T>,
): Promise<T> {
  const token = vault.readSystemSecret(tokenKey(config.name));
  if (token === undefined) {
    throw new LatchkeyError(
      'STORE_AUTH_FAILED',
      `there is no token for store '${config.name}'; run 'latchkey store login ${config.name}'`,
    );
  }
  const api = storeApi(config, DEFAULT_SYNC_SETTINGS);
  try {
    try {
      api.useToken(token.reveal().toString('utf8'));
    } finally {
      token.dispose();
    }
    return await work(new StoreCalls(api, dryRun));
  } finally {
    api.close();
  }
}

/**
 * Creates the invite for a developer's policy (a single-use wrapped token) and returns the one
 * command they run; undefined in a dry run (the call is recorded, not sent).
 */
export async function createInvite(
  calls: StoreCalls,
  policy: string,
  config: StoreConfig,
  targets: readonly GrantTarget[],
): Promise<string | undefined> {
  const invite = await calls.createWrappedToken([policy], INVITE_TOKEN_TTL, INVITE_WRAP_TTL);
  if (invite === undefined) return undefined;
  const only = targets.map((t) => ` --only ${targetKey(t)}`).join('');
  return (
    `latchkey store add ${config.name} --addr ${config.addr} --mount ${config.mount} --layout '${config.layout}'` +
    `${config.namespace ? ` --namespace ${config.namespace}` : ''}${only} --wrapped-token ${invite.token}`
  );
}

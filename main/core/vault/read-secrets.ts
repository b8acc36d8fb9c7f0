/**
 * Reading a set of named fields at once, for `run`, the shell hook and the agent's `resolve`:
 * values as strings (the last step before a child's environment or a socket reply), the refs the
 * vault lacks, and when each item last changed (for rotation warnings).
 */
import { LatchkeyError } from '../errors';
import { formatFieldRef, type FieldRef } from './ref';
import type { Vault } from './vault';

export interface ReadSecrets {
  readonly values: Record<string, string>;
  /** Refs the vault does not hold (only with allowMissing). */
  readonly missing: string[];
  /** ISO time each item last changed (upstream for synced items), by field ref. */
  readonly changedAt: Record<string, string>;
}

export function readSecrets(
  vault: Vault,
  refs: readonly FieldRef[],
  options: { previous?: boolean; allowMissing?: boolean } = {},
): ReadSecrets {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  const changedAt: Record<string, string> = {};
  for (const ref of refs) {
    const key = formatFieldRef(ref);
    let secret;
    try {
      secret = vault.readField(ref, { previous: options.previous === true });
    } catch (error) {
      if (options.allowMissing && error instanceof LatchkeyError && error.code === 'ITEM_NOT_FOUND') {
        missing.push(key);
        continue;
      }
      throw error;
    }
    try {
      values[key] = secret.reveal().toString('utf8');
    } finally {
      secret.dispose();
    }
    const item = vault.findItem(ref);
    if (item)
      changedAt[key] =
        item.origin.kind === 'store' && item.origin.changedUpstreamAt
          ? item.origin.changedUpstreamAt
          : item.updatedAt;
  }
  return { values, missing, changedAt };
}

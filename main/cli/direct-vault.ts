/**
 * Direct mode: with no agent holding the vault unlocked, a command opens the vault itself. Every
 * open and change goes through here so that it is audited: a failed unlock is recorded (without
 * the key, as a pending line), and every change anchors the audit chain in the vault it saves.
 */
import { readlinkSync } from 'node:fs';
import { anchorAudit, AuditLog, recordPending, type AuditEvent, type AuditWho } from '../core/audit';
import { wipe } from '../core/crypto/secret';
import { isLatchkeyError } from '../core/errors';
import { dataDir, dataPaths } from '../core/vault/paths';
import { readSecrets, type ReadSecrets } from '../core/vault/read-secrets';
import type { FieldRef } from '../core/vault/ref';
import type { Vault } from '../core/vault/vault';
import { VaultStore } from '../core/vault/vault-store';
import type { OptionSpec } from './command';
import type { InputSource } from './terminal-input';

export function vaultStore(env: NodeJS.ProcessEnv): VaultStore {
  return new VaultStore(dataPaths(dataDir(env)));
}

export const PASSWORD_STDIN_OPTION: OptionSpec = { 'password-stdin': { type: 'boolean' } };
export const PASSWORD_STDIN_HELP =
  'read the master password from the first line of standard input (for scripts)';

/** This CLI process, as the audit log names it. */
export function cliWho(): AuditWho {
  let tty: string | undefined;
  if (process.stdin.isTTY) {
    try {
      tty = readlinkSync('/proc/self/fd/0');
    } catch {
      tty = undefined;
    }
  }
  return { via: 'cli', pid: process.pid, exe: process.execPath, cwd: process.cwd(), ...(tty ? { tty } : {}) };
}

/** An unlocked vault and its audit log; close() closes both. */
export interface AuditedVault {
  readonly vault: Vault;
  readonly audit: AuditLog;
  /** Appends an event from this process (fills in `who`). Throws AUDIT_FAILED: refuse then. */
  readonly record: (event: Omit<AuditEvent, 'who'>) => void;
  readonly close: () => void;
}

function audited(store: VaultStore, vault: Vault): AuditedVault {
  let audit: AuditLog;
  try {
    audit = AuditLog.open(store.paths.dir, vault.deriveAuditKey());
  } catch (error) {
    vault.close();
    throw error;
  }
  const who = cliWho();
  return {
    vault,
    audit,
    record: (event) => audit.append({ ...event, who }),
    close: () => {
      audit.close();
      vault.close();
    },
  };
}

function recordFailedUnlock(store: VaultStore, error: unknown): void {
  if (!isLatchkeyError(error, 'WRONG_PASSWORD')) return;
  try {
    recordPending(store.paths.dir, {
      op: 'unlock-failed',
      who: cliWho(),
      result: 'denied',
      reason: 'WRONG_PASSWORD',
    });
  } catch {
    // The unlock failed anyway; nothing is served.
  }
}

/** Opens the vault for reading, with its audit log. */
export async function openAudited(store: VaultStore, password: Uint8Array): Promise<AuditedVault> {
  let vault: Vault;
  try {
    vault = await store.open(password);
  } catch (error) {
    recordFailedUnlock(store, error);
    throw error;
  }
  return audited(store, vault);
}

/**
 * Changes the vault under the writer lock (see VaultStore.change), with the audit log open; the
 * chain head is anchored in the vault just before it is saved.
 */
export async function changeAudited<T>(
  store: VaultStore,
  password: Uint8Array,
  change: (v: AuditedVault) => T | Promise<T>,
  shouldSave: (result: T) => boolean = () => true,
): Promise<T> {
  try {
    return await store.change(
      password,
      async (vault) => {
        const v = audited(store, vault);
        try {
          const result = await change(v);
          if (shouldSave(result)) anchorAudit(vault, v.audit);
          return result;
        } finally {
          v.audit.close();
        }
      },
      undefined,
      shouldSave,
    );
  } catch (error) {
    recordFailedUnlock(store, error);
    throw error;
  }
}

/**
 * Direct mode's read of several fields: the password from `input`, the vault opened with its audit
 * log, one audit line per value before any value is returned (a failed line refuses them all), and
 * the password and the vault wiped afterwards.
 */
export async function readAudited(
  store: VaultStore,
  input: InputSource,
  refs: readonly FieldRef[],
): Promise<ReadSecrets> {
  const password = await input.password();
  try {
    const v = await openAudited(store, password);
    try {
      const result = readSecrets(v.vault, refs, { allowMissing: true });
      for (const ref of Object.keys(result.values)) v.record({ op: 'read', ref, result: 'ok' });
      return result;
    } finally {
      v.close();
    }
  } finally {
    wipe(password);
    input.dispose();
  }
}

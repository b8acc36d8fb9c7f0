/**
 * The chain's head `{seq, mac}` kept in the vault's encrypted index (`meta.auditHead`), saved
 * atomically with each vault generation. Lines cut from the end of the log up to the anchored one
 * are then detected by `verifyAudit`; lines after the last save are not (docs/audit.md).
 */
import { LatchkeyError } from '../errors';
import type { AuditLog } from './audit-log';
import type { AuditHead } from './line';

export const AUDIT_ANCHOR_META_KEY = 'auditHead';

/** The part of the Vault the anchor needs (a Vault satisfies it). */
export interface AnchorableVault {
  readonly meta: Readonly<Record<string, unknown>>;
  setMeta(key: string, value: unknown): void;
}

function isHead(value: unknown): value is AuditHead {
  if (typeof value !== 'object' || value === null) return false;
  const { seq, mac } = value as Record<string, unknown>;
  return (
    typeof seq === 'number' &&
    Number.isSafeInteger(seq) &&
    seq >= 0 &&
    typeof mac === 'string' &&
    /^[0-9a-f]{64}$/.test(mac)
  );
}

/** The head anchored in the vault, or undefined when none was yet. */
export function readAuditAnchor(vault: Pick<AnchorableVault, 'meta'>): AuditHead | undefined {
  const raw = vault.meta[AUDIT_ANCHOR_META_KEY];
  if (raw === undefined) return undefined;
  if (!isHead(raw)) {
    throw new LatchkeyError('INTERNAL', "the vault's audit anchor (meta.auditHead) is malformed");
  }
  return { seq: raw.seq, mac: raw.mac };
}

/**
 * Call before each vault save: fsyncs the log (so every anchored line is on disk before the anchor
 * is) and stores its head in the vault's meta. Never moves the anchor back: when the log is behind
 * the anchor already stored (lines were lost or the file replaced since the last save) it keeps the
 * old anchor, so `verifyAudit` keeps reporting the break, and returns 'kept'. Throws AUDIT_FAILED
 * when the log cannot be synced.
 */
export function anchorAudit(vault: AnchorableVault, log: AuditLog): 'anchored' | 'kept' {
  const head = log.sync();
  const old = readAuditAnchor(vault);
  if (old !== undefined && (head.seq < old.seq || (head.seq === old.seq && head.mac !== old.mac))) {
    return 'kept';
  }
  vault.setMeta(AUDIT_ANCHOR_META_KEY, { seq: head.seq, mac: head.mac });
  return 'anchored';
}

/**
 * Anchors the log's current head even when it is behind the stored anchor: for a person who has
 * seen the verification report and accepts the break. Record why in the log before calling it.
 */
export function resetAuditAnchor(vault: AnchorableVault, log: AuditLog): AuditHead {
  const head = log.sync();
  vault.setMeta(AUDIT_ANCHOR_META_KEY, { seq: head.seq, mac: head.mac });
  return head;
}

/**
 * The tamper-evident audit log (docs/audit.md). Open it with `AuditLog.open(dir, vault.deriveAuditKey())`,
 * `append` one event per operation and refuse the operation when that throws, call `anchorAudit`
 * before each vault save, and `recordPending` for what happens without the key (failed unlocks).
 */
export {
  AUDIT_OPS,
  AUDIT_RESULTS,
  AUDIT_SYSTEM_OPS,
  AUDIT_VIAS,
  MAX_PATH_LENGTH,
  MAX_REF_LENGTH,
  validateEvent,
  type AuditEvent,
  type AuditOp,
  type AuditResult,
  type AuditSystemOp,
  type AuditVia,
  type AuditWho,
} from './event';
export { type AuditEntry, type AuditHead, type AuditRecord, type AuditWhoRecord } from './line';
export { AuditLog, type AuditLogOptions, type AuditWriter } from './audit-log';
export { PENDING_MAX_BYTES, recordPending } from './pending';
export { verifyAudit, type AuditProblem, type AuditProblemKind, type VerifyReport } from './verify';
export { readAudit, whoText, type AuditFilter } from './read';
export {
  AUDIT_ANCHOR_META_KEY,
  anchorAudit,
  readAuditAnchor,
  resetAuditAnchor,
  type AnchorableVault,
} from './anchor';
export { auditPaths, type AuditPaths } from './audit-files';

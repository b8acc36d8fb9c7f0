/** Audit entries and verification problems as the Audit view shows them: plain data, no MACs. */
import type { AuditRow } from '../../../preload/api';
import { whoText, type AuditEntry, type AuditProblem } from '../../core/audit';

export function auditRow(e: AuditEntry): AuditRow {
  return {
    seq: e.seq,
    time: e.time,
    who: whoText(e.who),
    op: e.op,
    ...(e.ref !== undefined ? { ref: e.ref } : {}),
    result: e.result,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
  };
}

export function problemText(p: AuditProblem): string {
  return `line ${p.line} (seq ${p.seq}) is ${p.kind}: ${p.message}`;
}

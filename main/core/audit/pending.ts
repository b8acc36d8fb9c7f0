/**
 * Events that happen without the key — a failed unlock — go to `audit.pending`, unchained, and are
 * folded into the chain by the next `AuditLog.open`. The file is bounded: past PENDING_SOFT_LIMIT
 * one `pending-overflow` line is written and further events are dropped until the next fold, so
 * someone hammering wrong passwords cannot fill the disk (the overflow line says it happened).
 * Pending lines carry no MAC — there is no key to make one — so until they are folded anyone who
 * can write the data directory can forge or erase them (docs/audit.md).
 */
import { closeSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { withAuditLock } from './append-lock';
import {
  auditFailure,
  auditPaths,
  checkAuditDir,
  openPrivate,
  readAt,
  readLines,
  type AuditPaths,
} from './audit-files';
import { validateEvent, type AuditEvent } from './event';
import { encodePendingLine, MAX_LINE_BYTES, parsePendingLine, type AuditRecord } from './line';

/** The pending file never grows past this. */
export const PENDING_MAX_BYTES = 1024 * 1024;
/** Past this size only the one overflow line is written (room is left for the largest line). */
export const PENDING_SOFT_LIMIT = PENDING_MAX_BYTES - 2 * MAX_LINE_BYTES;

/**
 * Records an event that happened without the vault key. Returns 'dropped' when the pending file is
 * full (the overflow line is written once). Throws AUDIT_FAILED when it cannot be written — the
 * failed unlock it records is refused anyway, so callers may report that and carry on.
 */
export function recordPending(
  dir: string,
  event: AuditEvent,
  now: Date = new Date(),
): 'recorded' | 'dropped' {
  const valid = validateEvent(event);
  checkAuditDir(dir);
  const paths = auditPaths(dir);
  return withAuditLock(paths, () => {
    const fd = openPrivate(paths.pending, 'append', true);
    if (fd === undefined) throw auditFailure(`creating ${paths.pending}`, undefined);
    try {
      const size = fstatSync(fd).size;
      let line: string;
      if (size < PENDING_SOFT_LIMIT) {
        line = encodePendingLine({ time: now.toISOString(), ...valid });
      } else {
        if (endsWithOverflow(fd, size)) return 'dropped';
        line = encodePendingLine({
          time: now.toISOString(),
          op: 'pending-overflow',
          who: { via: valid.who.via },
          result: 'error',
        });
      }
      const bytes = Buffer.from(`${line}\n`, 'utf8');
      let written: number;
      try {
        written = writeSync(fd, bytes);
      } catch (error) {
        throw auditFailure(`writing ${paths.pending}`, error);
      }
      if (written !== bytes.length) throw auditFailure(`writing ${paths.pending}`, new Error('short write'));
      return size < PENDING_SOFT_LIMIT ? 'recorded' : 'dropped';
    } finally {
      closeSync(fd);
    }
  });
}

function endsWithOverflow(fd: number, size: number): boolean {
  const tail = readAt(fd, Math.max(0, size - 4096), Math.min(size, 4096));
  const lines = tail.toString('utf8').split('\n');
  const last = lines.length >= 2 ? lines[lines.length - 2] : undefined;
  if (last === undefined) return false;
  const parsed = parsePendingLine(Buffer.from(last, 'utf8'));
  return parsed.ok && parsed.value.op === 'pending-overflow';
}

/** What a fold found in audit.pending. */
export interface PendingBatch {
  /** Well-formed records, in the order they were written. */
  readonly records: readonly AuditRecord[];
  /** Lines that are not well-formed pending lines (damage or forgery). */
  readonly malformed: number;
  /** The file was larger than PENDING_MAX_BYTES (written by something other than recordPending). */
  readonly oversized: boolean;
  /** Empties and closes the file: call only once the records are safely in the log. */
  clear(): void;
  /** Closes the file without emptying it (the fold failed; the records stay for the next one). */
  close(): void;
}

/** Reads audit.pending for folding. The caller holds the audit lock. Undefined when there is none. */
export function takePending(paths: AuditPaths): PendingBatch | undefined {
  const fd = openPrivate(paths.pending, 'append', false);
  if (fd === undefined) return undefined;
  try {
    const size = fstatSync(fd).size;
    if (size === 0) {
      closeSync(fd);
      return undefined;
    }
    const records: AuditRecord[] = [];
    let malformed = 0;
    let seen = 0;
    for (const raw of readLines(fd, MAX_LINE_BYTES)) {
      seen += raw.bytes.length + 1;
      if (seen > PENDING_MAX_BYTES) break;
      const parsed = raw.complete ? parsePendingLine(raw.bytes) : undefined;
      if (parsed?.ok === true && parsed.canonical) records.push(parsed.value);
      else malformed++;
    }
    let open = true;
    const close = (): void => {
      if (open) closeSync(fd);
      open = false;
    };
    return {
      records,
      malformed,
      oversized: size > PENDING_MAX_BYTES,
      clear() {
        if (!open) return;
        try {
          ftruncateSync(fd, 0);
        } catch (error) {
          throw auditFailure(`emptying ${paths.pending}`, error);
        } finally {
          close();
        }
      },
      close,
    };
  } catch (error) {
    closeSync(fd);
    throw auditFailure(`reading ${paths.pending}`, error);
  }
}

/**
 * The log as entries for `latchkey audit`, filtered. No verification here (`verifyAudit` does
 * that): lines that do not parse are skipped, so show the verification result next to the list.
 */
import { closeSync } from 'node:fs';
import { LatchkeyError } from '../errors';
import { auditPaths, checkAuditDir, openPrivate, readLines } from './audit-files';
import { basename } from 'node:path';
import { MAX_LINE_BYTES, parseChainLine, type AuditEntry, type AuditWhoRecord } from './line';

export interface AuditFilter {
  /** Only events at or after this time. */
  readonly since?: Date;
  /** Only events on this ref or under it (`lk://payments/development` matches its items); `lk://` optional. */
  readonly ref?: string;
  /** Only events with this op. */
  readonly op?: string;
  /** Only the last `limit` matching events. */
  readonly limit?: number;
}

function bareRef(ref: string): string {
  return ref.startsWith('lk://') ? ref.slice('lk://'.length) : ref;
}

/** Entries of audit.log in `dir` matching `filter`, oldest first. Empty when there is no log. */
export function readAudit(dir: string, filter: AuditFilter = {}): AuditEntry[] {
  const { limit } = filter;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new LatchkeyError('USAGE', `--limit must be a whole number of at least 1, not ${String(limit)}`);
  }
  const since = filter.since?.getTime();
  if (since !== undefined && Number.isNaN(since))
    throw new LatchkeyError('USAGE', '--since is not a valid date');
  const ref = filter.ref === undefined ? undefined : bareRef(filter.ref).replace(/\/+$/, '');
  checkAuditDir(dir);
  const fd = openPrivate(auditPaths(dir).log, 'read', false);
  if (fd === undefined) return [];
  const out: AuditEntry[] = [];
  try {
    for (const raw of readLines(fd, MAX_LINE_BYTES)) {
      const parsed = parseChainLine(raw.bytes);
      if (!parsed.ok) continue;
      const e = parsed.value;
      if (filter.op !== undefined && e.op !== filter.op) continue;
      if (since !== undefined && Date.parse(e.time) < since) continue;
      if (ref !== undefined) {
        const own = e.ref === undefined ? undefined : bareRef(e.ref);
        if (own === undefined || (own !== ref && !own.startsWith(`${ref}/`))) continue;
      }
      out.push(e);
      if (limit !== undefined && out.length > 2 * limit) out.splice(0, out.length - limit);
    }
  } finally {
    closeSync(fd);
  }
  return limit === undefined ? out : out.slice(-limit);
}

/** Who, in a few words for a table: `run pid 4242 node`, `gui pid 17`, `sync`. */
export function whoText(who: AuditWhoRecord): string {
  return [who.via, who.pid !== undefined ? `pid ${who.pid}` : '', who.exe ? basename(who.exe) : '']
    .filter(Boolean)
    .join(' ');
}

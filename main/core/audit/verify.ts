/**
 * Walks audit.log and reports the first place the chain is broken, and how: an edited line (its
 * MAC fails), a deleted one (a gap in seq), reordered ones (a seq out of place that turns up
 * elsewhere), a cut-off end (the vault's anchor is missing), or a line that is not an audit line.
 */
import { closeSync } from 'node:fs';
import { LatchkeyError } from '../errors';
import { auditPaths, checkAuditDir, openPrivate, readLines, type RawLine } from './audit-files';
import { authenticates, genesisMac, MAX_LINE_BYTES, parseChainLine, seqOf, type AuditHead } from './line';

export type AuditProblemKind = 'edited' | 'deleted' | 'reordered' | 'truncated' | 'malformed';

export interface AuditProblem {
  /** 1-based line number in audit.log (one past the last line for a cut-off end). */
  readonly line: number;
  /** The line's own seq when it has a readable one, otherwise the seq that belongs at that place. */
  readonly seq: number;
  readonly kind: AuditProblemKind;
  /** A sentence for a person. Never quotes the line's content. */
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Lines in the file. */
  readonly lines: number;
  readonly firstProblem?: AuditProblem;
}

type Finding = AuditProblem | { readonly gap: { line: number; seq: number; expected: number } };

function checkAnchor(anchor: AuditHead | undefined): AuditHead | undefined {
  if (anchor === undefined || anchor.seq === 0) return undefined;
  if (!Number.isSafeInteger(anchor.seq) || anchor.seq < 0 || !/^[0-9a-f]{64}$/.test(anchor.mac)) {
    throw new LatchkeyError('INTERNAL', 'the audit anchor to verify against is malformed');
  }
  return anchor;
}

/**
 * Verifies audit.log in `dir` with the vault's audit key, and — with the head anchored in the vault
 * (`readAuditAnchor(vault)`) — that nothing up to the anchor was cut off. Without an anchor, lines
 * removed from the end cannot be told from lines never written.
 */
export function verifyAudit(dir: string, key: Buffer, anchor?: AuditHead): VerifyReport {
  const anchored = checkAnchor(anchor);
  checkAuditDir(dir);
  const path = auditPaths(dir).log;
  const fd = openPrivate(path, 'read', false);
  if (fd === undefined) {
    if (anchored === undefined) return { ok: true, lines: 0 };
    return {
      ok: false,
      lines: 0,
      firstProblem: {
        line: 1,
        seq: 1,
        kind: 'truncated',
        message: `${path} does not exist but the vault anchored seq ${anchored.seq}: the log was deleted`,
      },
    };
  }
  try {
    return walk(fd, key, anchored);
  } finally {
    closeSync(fd);
  }
}

function walk(fd: number, key: Buffer, anchor: AuditHead | undefined): VerifyReport {
  const lines = readLines(fd, MAX_LINE_BYTES);
  let expectedSeq = 1;
  let expectedPrev = genesisMac(key);
  let count = 0;
  let finding: Finding | undefined;

  const check = (raw: RawLine): Finding | undefined => {
    const at = `line ${raw.number}`;
    if (!raw.complete) {
      return {
        line: raw.number,
        seq: seqOf(raw.bytes) ?? expectedSeq,
        kind: 'malformed',
        message: `${at} is cut short (no newline at its end): a write was interrupted or the file was cut`,
      };
    }
    const parsed = parseChainLine(raw.bytes);
    if (!parsed.ok) {
      return {
        line: raw.number,
        seq: seqOf(raw.bytes) ?? expectedSeq,
        kind: 'malformed',
        message: `${at} is not an audit line: ${parsed.problem}`,
      };
    }
    const e = parsed.value;
    const here = `${at} (seq ${e.seq})`;
    if (!parsed.canonical) {
      return {
        line: raw.number,
        seq: e.seq,
        kind: 'edited',
        message: `${here} was changed: its bytes are not the canonical form the log writes`,
      };
    }
    if (!authenticates(key, e)) {
      return {
        line: raw.number,
        seq: e.seq,
        kind: 'edited',
        message: `${here} does not authenticate under this vault's audit key: it was edited (its MAC recomputed without the key, or left stale), or it comes from another log`,
      };
    }
    if (e.seq < expectedSeq) {
      return {
        line: raw.number,
        seq: e.seq,
        kind: 'reordered',
        message: `${here} comes after seq ${expectedSeq - 1}: lines were reordered or repeated`,
      };
    }
    if (e.seq > expectedSeq) return { gap: { line: raw.number, seq: e.seq, expected: expectedSeq } };
    if (e.prev !== expectedPrev) {
      return {
        line: raw.number,
        seq: e.seq,
        kind: 'edited',
        message: `${here} is authentic but does not follow the line before it: one of the two was spliced in from another copy of this log`,
      };
    }
    if (anchor !== undefined && e.seq === anchor.seq && e.mac !== anchor.mac) {
      return {
        line: raw.number,
        seq: e.seq,
        kind: 'truncated',
        message: `${here} is not the line the vault anchored at seq ${anchor.seq}: the log was cut back and written again after it`,
      };
    }
    expectedSeq++;
    expectedPrev = e.mac;
    return undefined;
  };

  for (let next = lines.next(); !next.done; next = lines.next()) {
    count = next.value.number;
    finding = check(next.value);
    if (finding !== undefined) break;
  }

  if (finding !== undefined && 'gap' in finding) {
    // A seq that is missing here: reordered if it turns up later, deleted if it never does.
    const { line, seq, expected } = finding.gap;
    let laterLine: number | undefined;
    for (let next = lines.next(); !next.done; next = lines.next()) {
      count = next.value.number;
      const s = laterLine === undefined ? seqOf(next.value.bytes) : undefined;
      if (s !== undefined && s >= expected && s < seq) laterLine = next.value.number;
    }
    const here = `line ${line} (seq ${seq})`;
    finding =
      laterLine !== undefined
        ? {
            line,
            seq,
            kind: 'reordered',
            message: `${here} stands where seq ${expected} belongs, and that seq comes later (line ${laterLine}): lines were reordered`,
          }
        : {
            line,
            seq,
            kind: 'deleted',
            message:
              seq - expected === 1
                ? `seq ${expected} is missing before ${here}: a line was deleted`
                : `seq ${expected} to ${seq - 1} are missing before ${here}: ${seq - expected} lines were deleted`,
          };
  }
  for (let next = lines.next(); !next.done; next = lines.next()) count = next.value.number;

  if (finding === undefined && anchor !== undefined && expectedSeq - 1 < anchor.seq) {
    finding = {
      line: count + 1,
      seq: expectedSeq,
      kind: 'truncated',
      message:
        expectedSeq === 1
          ? `the log is empty but the vault anchored seq ${anchor.seq}: it was emptied or replaced`
          : `the log ends at seq ${expectedSeq - 1} (line ${count}) but the vault anchored seq ${anchor.seq}: its last lines were cut off`,
    };
  }
  if (finding === undefined) return { ok: true, lines: count };
  if ('gap' in finding) throw new LatchkeyError('INTERNAL', 'an audit gap was left unclassified');
  return { ok: false, lines: count, firstProblem: finding };
}

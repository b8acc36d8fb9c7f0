/**
 * The append-only, hash-chained audit log `audit.log`: one JSON line per event, each carrying the
 * MAC of the line before it (line.ts has the format). Appends are synchronous and fail closed.
 */
import { closeSync, fstatSync, fsyncSync, lstatSync, writeSync } from 'node:fs';
import { LatchkeyError } from '../errors';
import { wipe } from '../crypto/secret';
import { withAuditLock } from './append-lock';
import { auditFailure, auditPaths, checkAuditDir, openPrivate, readAt, type AuditPaths } from './audit-files';
import { validateEvent, validateWho, type AuditEvent, type AuditWho } from './event';
import {
  authenticates,
  encodeChainLine,
  genesisMac,
  parseChainLine,
  type AuditHead,
  type AuditRecord,
} from './line';
import { takePending } from './pending';

/** Writes `bytes` to `fd` in one call and returns how many were written (fs.writeSync by default). */
export type AuditWriter = (fd: number, bytes: Buffer) => number;

export interface AuditLogOptions {
  /** Who opens the log, for the lines the log writes itself while folding audit.pending. */
  readonly who?: AuditWho;
  /** Test hook: replaces the write(2) of each line, e.g. to make it fail. */
  readonly write?: AuditWriter;
  /** Test hook: the clock. */
  readonly now?: () => Date;
}

/** How far back from the end `open` looks for the last authentic line before giving up. */
const TAIL_WINDOWS = [64 * 1024, 1024 * 1024] as const;

interface Pending {
  readonly record: AuditRecord;
  readonly pending: boolean;
}

export class AuditLog {
  readonly path: string;
  readonly #paths: AuditPaths;
  readonly #key: Buffer;
  readonly #write: AuditWriter;
  readonly #now: () => Date;
  readonly #who: AuditWho;
  #fd: number | undefined;
  #closed = false;
  #ino = -1;
  #dev = -1;
  /** Size of the file after our last write or read of it; -1 when unknown (a write failed). */
  #end = -1;
  #head: AuditHead;
  /** The file does not end in "\n" (a write elsewhere was cut short): start the next write with one. */
  #needsNewline = false;

  private constructor(paths: AuditPaths, key: Buffer, options: AuditLogOptions) {
    this.path = paths.log;
    this.#paths = paths;
    this.#key = Buffer.from(key);
    this.#write = options.write ?? ((fd, bytes) => writeSync(fd, bytes));
    this.#now = options.now ?? (() => new Date());
    this.#who = options.who === undefined ? { via: 'cli', pid: process.pid } : validateWho(options.who);
    this.#head = { seq: 0, mac: genesisMac(this.#key) };
  }

  /**
   * Opens (creating 0600 if missing) `audit.log` in the data directory `dir`, with the audit key
   * of the vault (`vault.deriveAuditKey()`). Finds the chain's head at the end of the file and folds
   * `audit.pending` into the chain. Refuses a symlink, another owner's or an open-mode file
   * (UNSAFE_PATH); AUDIT_TAMPERED when the end of the file holds no line made with this key (the log
   * of another vault, or destroyed); AUDIT_FAILED when it cannot be read or written.
   */
  static open(dir: string, key: Buffer, options: AuditLogOptions = {}): AuditLog {
    if (!Buffer.isBuffer(key) || key.length !== 32) {
      throw new LatchkeyError('INTERNAL', 'the audit key must be 32 bytes');
    }
    checkAuditDir(dir);
    const log = new AuditLog(auditPaths(dir), key, options);
    try {
      withAuditLock(log.#paths, () => {
        log.#reopen();
        log.#foldPending();
      });
    } catch (error) {
      log.close();
      throw error;
    }
    return log;
  }

  /**
   * Appends one event and returns the new head. Synchronous: the whole line goes to the O_APPEND
   * descriptor in one write(2) before this returns.
   *
   * FAIL CLOSED: if this throws — AUDIT_FAILED when the line cannot be written (disk full, I/O
   * error, short write, lock held too long) or the event is invalid, or any other error — the
   * caller must refuse the operation it was recording (a read is not served unless its line is
   * written). The head does not move when it throws.
   *
   * No fsync per line, on purpose: a read must cost microseconds, not a disk flush; a line in the
   * page cache survives the crash of any process; and `anchorAudit` fsyncs the log before the
   * vault's next save records the head, so every anchored line is on disk. Only a power loss can
   * lose lines, and only lines written after the last vault save.
   */
  append(event: AuditEvent): AuditHead {
    return this.appendAll([event]);
  }

  /**
   * Appends several events, in order, in one write(2) under one lock — `append` for a batch, with
   * the same guarantees: every event is checked before anything is written, and if this throws no
   * line of the batch counts as recorded (the caller refuses all of them). The agent records the
   * reads of one `resolve` this way: one line per value, one disk write per request.
   */
  appendAll(events: readonly AuditEvent[]): AuditHead {
    const valid = events.map((event) => validateEvent(event));
    this.#requireOpen();
    if (valid.length === 0) return this.#head;
    return withAuditLock(this.#paths, () => {
      const time = this.#now().toISOString();
      return this.#appendLocked(valid.map((v) => ({ record: { time, ...v }, pending: false })));
    });
  }

  /** The seq and mac of the last line this log wrote or found (seq 0, genesis mac when empty). */
  head(): AuditHead {
    return this.#head;
  }

  /**
   * Flushes the log to disk (fsync) and returns the head as it is in the file now, including lines
   * other processes appended. `anchorAudit` calls it before anchoring. Throws AUDIT_FAILED.
   */
  sync(): AuditHead {
    this.#requireOpen();
    return withAuditLock(this.#paths, () => {
      this.#fsync(this.#refresh());
      return this.#head;
    });
  }

  /** Closes the file and wipes the key copy. Appending afterwards throws AUDIT_FAILED. */
  close(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        /* already closed */
      }
    }
    this.#fd = undefined;
    this.#closed = true;
    wipe(this.#key);
  }

  #fsync(fd: number): void {
    try {
      fsyncSync(fd);
    } catch (error) {
      throw auditFailure(`syncing the audit log ${this.path}`, error);
    }
  }

  #requireOpen(): void {
    if (this.#closed) {
      throw new LatchkeyError(
        'AUDIT_FAILED',
        `the audit log ${this.path} was used after it was closed; the operation was refused`,
      );
    }
  }

  /** (Re)opens the file at the path and finds its head. Caller holds the lock. */
  #reopen(): number {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    const fd = openPrivate(this.path, 'append', true);
    if (fd === undefined) throw auditFailure(`opening ${this.path}`, undefined);
    this.#fd = fd;
    try {
      const st = fstatSync(fd);
      this.#ino = st.ino;
      this.#dev = st.dev;
    } catch (error) {
      throw auditFailure(`reading ${this.path}`, error);
    }
    this.#findHead(fd);
    return fd;
  }

  /**
   * Makes sure the head is the file's: another process may have appended (seen as a size we did not
   * write), or replaced or deleted the file (a new inode: we reopen — the new file starts a new
   * chain, which verification against the vault's anchor reports as truncation).
   */
  #refresh(): number {
    this.#requireOpen();
    const fd = this.#fd;
    if (fd === undefined) return this.#reopen();
    let st;
    try {
      st = lstatSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw auditFailure(`reading ${this.path}`, error);
      }
      return this.#reopen();
    }
    if (st.ino !== this.#ino || st.dev !== this.#dev) return this.#reopen();
    if (st.size !== this.#end) this.#findHead(fd);
    return fd;
  }

  /** Reads the last authentic line from the end of the file (a damaged tail is skipped, not erased). */
  #findHead(fd: number): void {
    let size: number;
    let tail: Buffer;
    try {
      size = fstatSync(fd).size;
      tail = size === 0 ? Buffer.alloc(0) : readAt(fd, size - 1, 1);
    } catch (error) {
      throw auditFailure(`reading ${this.path}`, error);
    }
    if (size === 0) {
      this.#head = { seq: 0, mac: genesisMac(this.#key) };
      this.#end = 0;
      this.#needsNewline = false;
      return;
    }
    for (const window of TAIL_WINDOWS) {
      const start = Math.max(0, size - window);
      const found = this.#lastAuthentic(readAt(fd, start, size - start), start > 0);
      if (found !== undefined) {
        this.#head = found;
        this.#end = size;
        this.#needsNewline = tail[0] !== 0x0a;
        return;
      }
      if (start === 0) break;
    }
    throw new LatchkeyError(
      'AUDIT_TAMPERED',
      `the end of the audit log ${this.path} holds no line made with this vault's key: it is the log of another vault, or it was destroyed. ` +
        `Move it away (mv ${this.path} ${this.path}.old) to start a new log; the vault's audit anchor will report the break`,
    );
  }

  #lastAuthentic(bytes: Buffer, firstMayBePartial: boolean): AuditHead | undefined {
    let end = bytes.length;
    while (end > 0) {
      const nl = bytes.lastIndexOf(0x0a, end - 1);
      if (nl === -1 && firstMayBePartial) return undefined;
      const line = bytes.subarray(nl + 1, end);
      end = nl === -1 ? 0 : nl;
      if (line.length === 0) continue;
      const parsed = parseChainLine(line);
      if (parsed.ok && parsed.canonical && authenticates(this.#key, parsed.value)) {
        return { seq: parsed.value.seq, mac: parsed.value.mac };
      }
    }
    return undefined;
  }

  /** Writes lines for `items` after the head, in one write(2). Caller holds the lock. */
  #appendLocked(items: readonly Pending[]): AuditHead {
    const fd = this.#refresh();
    let { seq, mac: prev } = this.#head;
    const texts: string[] = [];
    for (const { record, pending } of items) {
      seq++;
      const line = encodeChainLine(this.#key, {
        seq,
        ...record,
        ...(pending ? { pending: true } : {}),
        prev,
      });
      texts.push(line.text);
      prev = line.mac;
    }
    const bytes = Buffer.from(`${this.#needsNewline ? '\n' : ''}${texts.join('\n')}\n`, 'utf8');
    let written: number;
    try {
      written = this.#write(fd, bytes);
    } catch (error) {
      this.#end = -1;
      throw auditFailure(`writing the audit log ${this.path}`, error);
    }
    if (written !== bytes.length) {
      this.#end = -1;
      throw new LatchkeyError(
        'AUDIT_FAILED',
        `writing the audit log ${this.path} failed: only ${written} of ${bytes.length} bytes were written (is the disk full?); the operation was refused because it could not be recorded`,
      );
    }
    this.#end += written;
    this.#needsNewline = false;
    this.#head = { seq, mac: prev };
    return this.#head;
  }

  /**
   * Appends the events of audit.pending (original time, `"pending": true`), fsyncs, then empties
   * the pending file. A crash between the two folds them again next time (duplicates, never loss).
   */
  #foldPending(): void {
    const batch = takePending(this.#paths);
    if (batch === undefined) return;
    try {
      const items: Pending[] = batch.records.map((record) => ({ record, pending: true }));
      const time = this.#now().toISOString();
      if (batch.malformed > 0) {
        items.push({
          record: { time, op: 'pending-malformed', who: this.#who, result: 'error' },
          pending: false,
        });
      }
      if (batch.oversized) {
        items.push({
          record: { time, op: 'pending-overflow', who: this.#who, result: 'error' },
          pending: false,
        });
      }
      if (items.length > 0) {
        this.#appendLocked(items);
        this.#fsync(this.#refresh());
      }
      batch.clear();
    } finally {
      batch.close();
    }
  }
}

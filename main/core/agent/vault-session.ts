/**
 * The agent's hold on the vault: locked, or unlocked with the Vault in memory (values still
 * sealed). Locks on request, after an idle period, and whenever the host says so (sleep, screen
 * lock). Each lock starts a new epoch: work that began before a lock can never answer after it.
 */
import { anchorAudit, AuditLog, recordPending, type AuditEvent } from '../audit';
import { acquireWriterLock } from '../vault/writer-lock';
import { statSync } from 'node:fs';
import { LatchkeyError } from '../errors';
import type { Vault } from '../vault/vault';
import type { VaultStore } from '../vault/vault-store';

export const DEFAULT_LOCK_AFTER_MS = 15 * 60 * 1000;

export class VaultSession {
  readonly store: VaultStore;
  #lockAfterMs: number;
  #vault: Vault | undefined;
  #audit: AuditLog | undefined;
  /** Changes (saves) in progress; a lock waits for them before it wipes the key. */
  #busy = 0;
  /** inode, size and mtime of the vault file when we last looked. */
  #diskStamp: string | undefined;
  #closeWhenIdle: (() => void) | undefined;
  #epoch = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastUse = 0;
  #failures = 0;
  #unlocking: Promise<void> | undefined;
  readonly #onLock: (reason: string) => void;

  constructor(store: VaultStore, options: { lockAfterMs?: number; onLock?: (reason: string) => void } = {}) {
    this.store = store;
    this.#lockAfterMs = options.lockAfterMs ?? DEFAULT_LOCK_AFTER_MS;
    this.#onLock = options.onLock ?? (() => undefined);
  }

  /** Idle time before the session locks itself (0: never). */
  get lockAfterMs(): number {
    return this.#lockAfterMs;
  }

  /** Changes the idle time; the running timer re-arms for the new one. */
  setLockAfter(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new LatchkeyError('USAGE', 'the idle time must be whole milliseconds');
    this.#lockAfterMs = ms;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#vault && ms > 0) this.#armIdleTimer(Math.max(1, ms - (Date.now() - this.#lastUse)));
  }

  get locked(): boolean {
    return this.#vault === undefined;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Milliseconds until the idle lock, or undefined while locked. */
  get idleRemainingMs(): number | undefined {
    return this.#vault ? Math.max(0, this.lockAfterMs - (Date.now() - this.#lastUse)) : undefined;
  }

  /**
   * Opens the vault with the password. Repeated failures wait longer and longer before answering
   * (0.5 s doubling to 8 s), so a local process cannot guess at the KDF's speed.
   */
  async unlock(password: Uint8Array): Promise<void> {
    if (this.#vault) return;
    if (this.#unlocking) await this.#unlocking.catch(() => undefined);
    if (this.#vault) return;
    const attempt = (async () => {
      try {
        const vault = await this.store.open(password);
        let audit: AuditLog;
        try {
          // Folds the failed attempts recorded while locked into the chain.
          audit = AuditLog.open(this.store.paths.dir, vault.deriveAuditKey());
          audit.append({ op: 'unlock', who: { via: 'agent', pid: process.pid }, result: 'ok' });
        } catch (error) {
          vault.close();
          throw error; // no audit, no unlock: fail closed
        }
        this.#vault = vault;
        this.#audit = audit;
        this.#diskStamp = undefined;
        this.#followDisk(); // records the file's stamp as of this unlock
        this.#failures = 0;
        this.touch();
      } catch (error) {
        if (error instanceof LatchkeyError && error.code === 'WRONG_PASSWORD') {
          this.recordWhileLocked({
            op: 'unlock-failed',
            who: { via: 'agent', pid: process.pid },
            result: 'denied',
            reason: 'WRONG_PASSWORD',
          });
          this.#failures++;
          await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** this.#failures)));
        }
        throw error;
      }
    })();
    this.#unlocking = attempt;
    try {
      await attempt;
    } finally {
      this.#unlocking = undefined;
    }
  }

  /** Drops the data key and every sealed value. */
  lock(reason = 'requested'): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#epoch++;
    if (!this.#vault) return;
    try {
      this.#audit?.append({ op: 'lock', who: { via: 'agent', pid: process.pid }, result: 'ok', reason });
    } catch {
      // Locking must never fail; the missing line shows as a gap only if later lines follow.
    }
    const vault = this.#vault;
    const audit = this.#audit;
    this.#vault = undefined;
    this.#audit = undefined;
    this.#diskStamp = undefined;
    // New requests are LOCKED from now on; a save already writing finishes with the key it has
    // (wiping the key mid-save would write a file that fails its MAC), then the key is wiped.
    const close = (): void => {
      audit?.close();
      vault.close();
    };
    if (this.#busy > 0) this.#closeWhenIdle = close;
    else close();
    this.#onLock(reason);
  }

  /**
   * Appends audit events while unlocked, several in one write. Throws AUDIT_FAILED when they cannot
   * be written: the caller refuses the operation (fail closed).
   */
  audit(...events: AuditEvent[]): void {
    if (!this.#audit)
      throw new LatchkeyError('LOCKED', "the vault is locked — run 'latchkey unlock' or unlock the app");
    this.#audit.appendAll(events);
  }

  /** Records an event without the key (refusals and denials while locked); never throws. */
  recordWhileLocked(event: AuditEvent): void {
    try {
      if (this.#audit) this.#audit.append(event);
      else recordPending(this.store.paths.dir, event);
    } catch {
      // Nothing is being served, so there is nothing to refuse.
    }
  }

  /**
   * Marks activity: the idle lock starts counting again. A request costs one clock read; the one
   * timer, when it fires, re-arms itself for the time still left since the last use.
   */
  touch(): void {
    this.#lastUse = Date.now();
    if (this.#timer === undefined && this.lockAfterMs > 0) this.#armIdleTimer(this.lockAfterMs);
  }

  #armIdleTimer(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#vault) return;
      const left = this.lockAfterMs - (Date.now() - this.#lastUse);
      if (left > 0) this.#armIdleTimer(left);
      else this.lock('idle');
    }, delayMs);
    this.#timer.unref();
  }

  /** The unlocked vault, or LOCKED. */
  vault(): Vault {
    if (!this.#vault) {
      throw new LatchkeyError('LOCKED', "the vault is locked — run 'latchkey unlock' or unlock the app");
    }
    if (this.#busy === 0) this.#followDisk();
    return this.#vault;
  }

  /**
   * Picks up a vault file written by another process (a direct-mode command) since we read it:
   * a stat per request, and a reopen with our data key when the file changed.
   */
  #followDisk(): void {
    const vault = this.#vault;
    if (!vault) return;
    let st;
    try {
      st = statSync(this.store.paths.vault);
    } catch {
      return; // gone: keep serving what we hold; the next save will say so
    }
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (this.#diskStamp === undefined) {
      this.#diskStamp = stamp;
      return;
    }
    if (stamp === this.#diskStamp) return;
    this.#diskStamp = stamp;
    if (this.store.readHeader().generation === vault.generation) return;
    const fresh = vault.reopen(this.store.readFile());
    this.#vault = fresh;
    vault.close();
  }

  /**
   * Changes the unlocked vault and saves it once, under the writer lock, with the audit chain
   * anchored in the saved vault. Nothing is saved when `change` throws or `shouldSave` says no.
   */
  async change<T>(
    change: (vault: Vault) => T | Promise<T>,
    shouldSave: (result: T) => boolean = () => true,
  ): Promise<T> {
    const vault = this.vault();
    const audit = this.#audit;
    const epoch = this.#epoch;
    this.#busy++;
    try {
      const lock = await acquireWriterLock(this.store.paths.lock);
      try {
        const result = await change(vault);
        this.checkEpoch(epoch);
        if (shouldSave(result)) {
          if (audit) anchorAudit(vault, audit);
          await this.store.save(vault);
        }
        return result;
      } finally {
        lock.release();
      }
    } finally {
      if (--this.#busy === 0 && this.#closeWhenIdle) {
        this.#closeWhenIdle();
        this.#closeWhenIdle = undefined;
      }
    }
  }

  /** Throws LOCKED if a lock happened since `epoch` (work that straddled a lock must not answer). */
  checkEpoch(epoch: number): void {
    if (epoch !== this.#epoch || !this.#vault) {
      throw new LatchkeyError(
        'LOCKED',
        'the vault was locked while the request was in progress — unlock and try again',
      );
    }
  }
}

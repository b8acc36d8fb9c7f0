/**
 * The app's growing delay after wrong passwords: the first three attempts are free, then each
 * failure blocks the next attempt for twice as long (5 s, 10 s, 20 s … up to 5 minutes). A right
 * password resets it. Pure (a clock is passed in), so it is tested without waiting.
 */
const FREE_ATTEMPTS = 3;
const FIRST_BLOCK_MS = 5_000;
const MAX_BLOCK_MS = 5 * 60_000;

export class UnlockThrottle {
  #failures = 0;
  #blockedUntil = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until an attempt is accepted (0 when it is accepted now). */
  waitMs(): number {
    return Math.max(0, this.#blockedUntil - this.now());
  }

  /** When the next attempt is accepted (ms since the epoch), or 0. */
  get blockedUntil(): number {
    return this.waitMs() > 0 ? this.#blockedUntil : 0;
  }

  get failures(): number {
    return this.#failures;
  }

  /** Records a wrong password; returns how long the next attempt must wait. */
  failed(): number {
    this.#failures++;
    const over = this.#failures - FREE_ATTEMPTS;
    if (over <= 0) return 0;
    const block = Math.min(MAX_BLOCK_MS, FIRST_BLOCK_MS * 2 ** (over - 1));
    this.#blockedUntil = this.now() + block;
    return block;
  }

  succeeded(): void {
    this.#failures = 0;
    this.#blockedUntil = 0;
  }
}

/**
 * A sliding-window budget for the calls that show or copy a value: at most `limit` in any
 * `windowMs`, so a compromised renderer cannot walk the whole vault through reveal or copy.
 */
export class CallBudget {
  readonly #times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one call from the budget; false (and nothing taken) when it is spent. */
  take(): boolean {
    const now = this.now();
    while (this.#times.length > 0 && now - this.#times[0]! >= this.windowMs) this.#times.shift();
    if (this.#times.length >= this.limit) return false;
    this.#times.push(now);
    return true;
  }
}

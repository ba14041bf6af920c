import type { Clock } from "../core/clock.js";

/**
 * A budget of `perMinute` calls, refilled continuously, that may burst up to `perMinute`.
 * `take()` spends one token when there is one.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {
    this.tokens = perMinute;
    this.updatedAt = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.perMinute, this.tokens + (elapsed * this.perMinute) / 60_000);
    this.updatedAt = now;
  }

  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Spends one token even when there is none: a call that must go out (a user's write) runs
   * the budget into debt, so the calls that may wait (history look-ups) wait longer. The debt
   * is bounded by one minute's refill. */
  spend(): void {
    this.refill();
    this.tokens = Math.max(-this.perMinute, this.tokens - 1);
  }

  /** Tokens there are now (fractional while refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Milliseconds until one token is available (0 when one is). */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    // The epsilon keeps float error (9999.999...) from rounding a whole wait up by 1 ms.
    return Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute - 1e-9);
  }
}

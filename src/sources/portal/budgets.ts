import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import { TokenBucket } from "../../upstream/token-bucket.js";

export interface PortalBudgetOptions {
  clock: Clock;
  /** Calls one caller may cause per minute. */
  perUserPerMinute: number;
  /** Calls the whole gateway may make per minute (the portal counts ~120 per client address). */
  perMinute: number;
}

/**
 * The portal's call budgets beyond the list itself (history look-ups, who-am-I): one per caller
 * and one for the whole gateway, and a hold while the portal's Retry-After lasts. A call goes
 * out only when every budget has room, and then spends from each.
 */
export function createPortalBudgets(options: PortalBudgetOptions) {
  const { clock } = options;
  const perCaller = new LRUCache<string, TokenBucket>({ max: 10_000 });
  const instance = new TokenBucket(options.perMinute, clock);
  let blockedUntil = 0;

  function callerBucket(callerKey: string): TokenBucket {
    let bucket = perCaller.get(callerKey);
    if (bucket === undefined) {
      bucket = new TokenBucket(options.perUserPerMinute, clock);
      perCaller.set(callerKey, bucket);
    }
    return bucket;
  }

  return {
    /** Whether the portal asked to wait (Retry-After) and the wait is not over. */
    held: () => clock.now() < blockedUntil,
    /** Spends one call of the caller's and the gateway's budgets; false (spending nothing) when
     * either is empty or the portal asked to wait. */
    take(callerKey: string): boolean {
      const caller = callerBucket(callerKey);
      if (clock.now() < blockedUntil || caller.waitMs() > 0 || instance.waitMs() > 0) return false;
      caller.take();
      instance.take();
      return true;
    },
    /** Calls the gateway-wide budget allows now (0 while the portal asked to wait): for
     * /metrics. Per-caller budgets are not shown: a gauge per caller would name users. */
    left(): number {
      return clock.now() < blockedUntil ? 0 : instance.available();
    },
    /** Holds every call for `ms` (the portal's Retry-After). */
    holdFor(ms: number): void {
      blockedUntil = Math.max(blockedUntil, clock.now() + ms);
    },
  };
}

export type PortalBudgets = ReturnType<typeof createPortalBudgets>;

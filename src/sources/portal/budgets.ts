import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import { createRetryAfterHold, type RetryAfterHold } from "../../upstream/retry-after-hold.js";
import { TokenBucket } from "../../upstream/token-bucket.js";
import { createFairShare } from "./fair-share.js";

export interface PortalBudgetOptions {
  clock: Clock;
  /** Calls one user (one party: see take) may cause per minute. */
  perUserPerMinute: number;
  /** Calls the whole gateway may make per minute (the portal counts ~120 per client address). */
  perMinute: number;
  /** The portal's Retry-After, shared with every other call to it; one of its own otherwise. */
  hold?: Pick<RetryAfterHold, "held" | "holdFor" | "leftMs">;
}

/**
 * The portal's call budgets beyond the list itself (history look-ups, who-am-I): one per party
 * and one for the whole gateway, shared fairly between the parties waiting for it (see
 * fair-share.ts), and a hold while the portal's Retry-After lasts. A call goes out only when
 * every budget has room, and then spends from each.
 *
 * A party is whom a call is made for: the user's identity (`portal:42`) once it is known, so a
 * user's sessions share one budget (DESIGN §8), else the session's credential hash — as for the
 * who-am-I call itself, which is how an identity becomes known.
 */
export function createPortalBudgets(options: PortalBudgetOptions) {
  const { clock } = options;
  const perParty = new LRUCache<string, TokenBucket>({ max: 10_000 });
  const instance = new TokenBucket(options.perMinute, clock);
  const fair = createFairShare({ perMinute: options.perMinute, clock });
  const hold = options.hold ?? createRetryAfterHold(clock);

  function partyBucket(party: string): TokenBucket {
    let bucket = perParty.get(party);
    if (bucket === undefined) {
      bucket = new TokenBucket(options.perUserPerMinute, clock);
      perParty.set(party, bucket);
    }
    return bucket;
  }

  return {
    /** Whether the portal asked to wait (Retry-After) and the wait is not over. */
    held: () => hold.held(),
    /** Spends one call of the party's and the gateway's budgets; false (spending nothing) when
     * either is empty, the gateway's is owed to others waiting, or the portal asked to wait.
     * `demand` is how many calls the party still wants, this one included. */
    take(party: string, demand = 1): boolean {
      if (hold.held()) return false;
      const own = partyBucket(party);
      // A party out of its own budget is not waiting for the gateway's: nothing is owed to it.
      if (own.waitMs() > 0) return false;
      if (instance.waitMs() > 0 || !fair.allows(party, instance.available())) {
        fair.refused(party, demand);
        return false;
      }
      own.take();
      instance.take();
      fair.spent(party);
      return true;
    },
    /** Spends one call of the party's and the gateway's budgets whatever is left (a write the
     * user made: the portal counts it, so the look-ups that can wait make room for it). */
    charge(party: string): void {
      partyBucket(party).spend();
      instance.spend();
      fair.spent(party);
    },
    /** Milliseconds the portal's Retry-After still holds calls back (0 when it does not). */
    heldForMs: () => hold.leftMs(),
    /** The party got every call it wanted: nothing more is owed to it. */
    served(party: string): void {
      fair.served(party);
    },
    /** Whole calls the gateway-wide budget allows now (0 while the portal asked to wait): for
     * /metrics. Per-caller budgets are not shown: a gauge per caller would name users. */
    left(): number {
      return hold.held() ? 0 : Math.max(0, Math.floor(instance.available()));
    },
    /** Holds every call for `ms` (the portal's Retry-After). */
    holdFor(ms: number): void {
      hold.holdFor(ms);
    },
  };
}

export type PortalBudgets = ReturnType<typeof createPortalBudgets>;

import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";

/**
 * Shares an instance-wide budget of `perMinute` calls between the parties waiting for it — a
 * portal identity, or a session whose identity is not known yet — so that one user's many
 * sessions, or one user's many chats, cannot starve another user.
 *
 * Requests do not queue for tokens: each takes what it may now and leaves the rest for a later
 * request. So fairness is a max-min share over the last minute. A party was "waiting" when a
 * call of its was refused within the last minute and it has not been fully served since; while
 * others wait, each party's share is perMinute / (waiting parties + 1). A party under its share
 * may always spend; a party over it may spend only what the others waiting are not owed (their
 * share less what they spent, at most what they still asked for). With nobody else waiting, the
 * whole budget is anyone's: the share costs nothing when there is no contention.
 */

const WINDOW_MS = 60_000;

export interface FairShareOptions {
  perMinute: number;
  clock: Clock;
  /** Parties remembered as waiting at most. */
  maxParties?: number;
}

export function createFairShare(options: FairShareOptions) {
  const { clock } = options;
  // When each party spent, within the window. The instance budget grants at most twice
  // perMinute calls in a window, which bounds these arrays in all.
  const spends = new Map<string, number[]>();
  const waiting = new LRUCache<string, { since: number; demand: number }>({
    max: options.maxParties ?? 10_000,
  });

  function prune(now: number): void {
    for (const [party, times] of spends) {
      const kept = times.filter((time) => now - time < WINDOW_MS);
      if (kept.length === 0) spends.delete(party);
      else if (kept.length !== times.length) spends.set(party, kept);
    }
  }

  const spentBy = (party: string) => spends.get(party)?.length ?? 0;

  /** The other parties waiting now, with what each still asked for. */
  function othersWaiting(party: string, now: number): { party: string; demand: number }[] {
    const others: { party: string; demand: number }[] = [];
    const stale: string[] = [];
    for (const [other, entry] of waiting.entries()) {
      if (now - entry.since >= WINDOW_MS) stale.push(other);
      else if (other !== party) others.push({ party: other, demand: entry.demand });
    }
    // Deleted after the walk: the cache is not changed under its own iterator.
    for (const other of stale) waiting.delete(other);
    return others;
  }

  return {
    /** Whether `party` may spend one call now, with `available` calls left in the budget. */
    allows(party: string, available: number): boolean {
      const now = clock.now();
      prune(now);
      const others = othersWaiting(party, now);
      if (others.length === 0) return true;
      const share = options.perMinute / (others.length + 1);
      if (spentBy(party) < share) return true;
      const owed = others.reduce(
        (sum, other) => sum + Math.min(other.demand, Math.max(0, share - spentBy(other.party))),
        0,
      );
      return available - 1 >= owed;
    },
    spent(party: string): void {
      const times = spends.get(party) ?? [];
      times.push(clock.now());
      spends.set(party, times);
    },
    /** A call of `party` was refused; it still wants `demand` calls (this one included). */
    refused(party: string, demand: number): void {
      waiting.set(party, { since: clock.now(), demand: Math.max(1, demand) });
    },
    /** `party` got every call it asked for: it waits no more. */
    served(party: string): void {
      waiting.delete(party);
    },
  };
}

export type FairShare = ReturnType<typeof createFairShare>;

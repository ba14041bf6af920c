import { LRUCache } from "lru-cache";
import type { Clock } from "../core/clock.js";
import { mapWithConcurrency } from "../upstream/concurrency.js";
import { createDeadline } from "../upstream/deadline.js";

/**
 * Per-item look-ups (an executor's or agent's sessions, a chat's members) for registries and
 * stores that list items without their counts. A listing may hold thousands of items, so one
 * request makes at most `perRequest` look-ups, never-looked-up items first and then the oldest,
 * and every successful answer is remembered for `ttlMs` (and shown until it is replaced), so
 * later requests carry on where this one stopped instead of starting over. Failures are not
 * remembered: the item is tried again by a later request, within the same cap.
 */

export interface LookupOptions {
  /** Look-ups one request may make. */
  perRequest: number;
  /** Look-ups in flight at once. */
  concurrency: number;
  /** How long a successful look-up is reused before it is asked again. */
  ttlMs: number;
  clock: Clock;
  /** Answers remembered at most. */
  maxEntries?: number;
}

export interface Lookup<T> {
  /** What varies the upstream call (its URL, workspace included): never one user's data, since
   * these kinds forward no credentials. */
  key: string;
  run(signal: AbortSignal): Promise<T>;
}

export interface LookupResults<T> {
  /** The answer for `key`, fetched now or remembered (however old); undefined when none. */
  get(key: string): T | undefined;
  /** Whether `key` was tried by this request and failed. */
  failed(key: string): boolean;
}

// Look-ups stop this long before the source's own timeout, so the list itself still arrives in
// time with whatever was counted (as the portal's history look-ups do).
const LOOKUP_MARGIN_MS = 50;

export function createLookupCache<T>(options: LookupOptions) {
  const known = new LRUCache<string, { value: T; fetchedAt: number }>({
    max: options.maxEntries ?? 50_000,
  });

  /** The look-ups due (never done, or older than the TTL), never-done ones first, then oldest. */
  function due(lookups: readonly Lookup<T>[]): Lookup<T>[] {
    const now = options.clock.now();
    const byKey = new Map<string, Lookup<T>>();
    for (const lookup of lookups) {
      const entry = known.get(lookup.key);
      if (entry === undefined || now - entry.fetchedAt >= options.ttlMs)
        byKey.set(lookup.key, lookup);
    }
    const age = (lookup: Lookup<T>) => known.peek(lookup.key)?.fetchedAt ?? -1;
    return [...byKey.values()].sort((a, b) => age(a) - age(b));
  }

  async function run(
    lookups: readonly Lookup<T>[],
    context: { signal: AbortSignal; remainingMs(): number },
  ): Promise<LookupResults<T>> {
    const admitted = due(lookups).slice(0, Math.max(0, options.perRequest));
    const failed = new Set<string>();
    if (admitted.length > 0) {
      const deadline = createDeadline(context.remainingMs() - LOOKUP_MARGIN_MS, context.signal);
      try {
        await mapWithConcurrency(admitted, options.concurrency, async (lookup) => {
          if (deadline.signal.aborted) return;
          try {
            const value = await lookup.run(deadline.signal);
            known.set(lookup.key, { value, fetchedAt: options.clock.now() });
          } catch {
            failed.add(lookup.key);
          }
        });
      } finally {
        deadline.dispose();
      }
    }
    return {
      get: (key) => known.get(key)?.value,
      failed: (key) => failed.has(key) && !known.has(key),
    };
  }

  return { run };
}

export type LookupCache<T> = ReturnType<typeof createLookupCache<T>>;

/** The source note for items a request left without their counts, or null when none was. */
export function uncountedNote(
  counts: { left: number; failed: number },
  noun: { one: string; many: string },
  reason: string,
): string | null {
  const name = (n: number) => `${n} ${n === 1 ? noun.one : noun.many}`;
  const parts = [
    counts.left === 0 ? null : `${name(counts.left)} not yet counted (${reason})`,
    counts.failed === 0 ? null : `${name(counts.failed)} not counted (look-up failed)`,
  ].filter((part) => part !== null);
  return parts.length === 0 ? null : parts.join("; ");
}

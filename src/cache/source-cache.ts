import { LRUCache } from "lru-cache";
import type { Clock } from "../core/clock.js";

export interface SourceCacheOptions<T> {
  /** An entry is fresh this long after it was stored. */
  ttlMs: number;
  /** After that it is served (and refreshed in the background) this much longer, then dropped. */
  staleIfErrorMs: number;
  maxEntries: number;
  maxBytes: number;
  /** Approximate bytes an entry holds, for the byte bound. */
  sizeOf: (value: T) => number;
  clock: Clock;
}

/** How a lookup was answered. `reason` on "stale" is why the last refresh failed. */
export type CacheResult<T> =
  | { state: "loaded"; value: T; ageMs: 0 }
  | { state: "fresh" | "revalidating"; value: T; ageMs: number }
  | { state: "stale"; value: T; ageMs: number; reason: string };

interface Entry<T> {
  value: T;
  storedAt: number;
  /** Why the latest refresh failed; cleared by a successful one. */
  refreshError: string | null;
}

export interface GetOptions {
  /** Keeps a background refresh alive where the runtime needs telling (Workers' waitUntil). */
  waitUntil?: (work: Promise<unknown>) => void;
  /** Wait for an expired entry's refresh instead of answering with the old value at once (a
   * live feed, which would otherwise show a change one period late); the old value is still
   * served, as stale, when the refresh fails. */
  awaitRefresh?: boolean;
  /** Treat the entry as expired however fresh it is (a watcher saw its files change). */
  reload?: boolean;
}

/**
 * Per-source results, keyed by the caller of `get` (who scopes the key by source, workspace and
 * credential hash). Fresh entries are served as they are; expired ones are served while one
 * background refresh runs (stale-while-revalidate) and keep being served, marked stale, while
 * refreshes fail, until `ttlMs + staleIfErrorMs` after they were stored. Concurrent loads of one
 * key share one call (single flight). Failures are never stored.
 */
export function createSourceCache<T extends object>(options: SourceCacheOptions<T>) {
  const { clock, ttlMs, staleIfErrorMs } = options;
  const entries = new LRUCache<string, Entry<T>>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => Math.max(1, options.sizeOf(entry.value)),
  });
  const inflight = new Map<string, Promise<T>>();
  const describe = (error: unknown) => (error instanceof Error ? error.message : "refresh failed");

  function load(key: string, loader: () => Promise<T>): Promise<T> {
    const running = inflight.get(key);
    if (running !== undefined) return running;
    const started = loader().then(
      (value) => {
        entries.set(key, { value, storedAt: clock.now(), refreshError: null });
        return value;
      },
      (error: unknown) => {
        const entry = entries.get(key);
        if (entry !== undefined) entry.refreshError = describe(error);
        throw error;
      },
    );
    const tracked = started.finally(() => inflight.delete(key));
    inflight.set(key, tracked);
    return tracked;
  }

  async function get(
    key: string,
    loader: () => Promise<T>,
    getOptions: GetOptions = {},
  ): Promise<CacheResult<T>> {
    const entry = entries.get(key);
    const now = clock.now();
    if (entry !== undefined) {
      const ageMs = Math.max(0, now - entry.storedAt);
      if (ageMs < ttlMs && getOptions.reload !== true)
        return { state: "fresh", value: entry.value, ageMs };
      if (ageMs < ttlMs + staleIfErrorMs && (getOptions.awaitRefresh || getOptions.reload)) {
        try {
          return { state: "loaded", value: await load(key, loader), ageMs: 0 };
        } catch (error) {
          return { state: "stale", value: entry.value, ageMs, reason: describe(error) };
        }
      }
      if (ageMs < ttlMs + staleIfErrorMs) {
        const refresh = load(key, loader).catch(() => {});
        getOptions.waitUntil?.(refresh);
        return entry.refreshError === null
          ? { state: "revalidating", value: entry.value, ageMs }
          : { state: "stale", value: entry.value, ageMs, reason: entry.refreshError };
      }
      entries.delete(key);
    }
    return { state: "loaded", value: await load(key, loader), ageMs: 0 };
  }

  /** The entry for `key` when it is fresh, without starting anything: the cheap path a warm
   * request takes before it needs a deadline. */
  function peekFresh(key: string): CacheResult<T> | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    const ageMs = Math.max(0, clock.now() - entry.storedAt);
    return ageMs < ttlMs ? { state: "fresh", value: entry.value, ageMs } : undefined;
  }

  return {
    get,
    peekFresh,
    /** Forgets a key (a credential the upstream has refused). */
    delete: (key: string) => void entries.delete(key),
  };
}

export type SourceCache<T extends object> = ReturnType<typeof createSourceCache<T>>;

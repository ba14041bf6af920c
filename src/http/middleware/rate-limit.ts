import type { MiddlewareHandler } from "hono";
import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import type { AppEnv } from "../app-env.js";
import { type ClientAddressResolver, clientAddressOf } from "../client-address.js";
import type { Callers } from "../credentials.js";
import { ApiError } from "../problem.js";

export interface RateLimitOptions {
  /** Per session (psession cookie). */
  perMinute: number;
  burst: number;
  /** Per client address, whatever cookie the request carries. */
  addressPerMinute: number;
  addressBurst: number;
  clock: Clock;
  /** Callers remembered at most (least recently seen forgotten first). */
  maxCallers?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A bucket's refill rate and size; `perMinute` 0 turns that bucket off. */
interface Limit {
  perMinute: number;
  burst: number;
}

/**
 * Token buckets that refill at `perMinute` and hold up to `burst`: one per session (the hash of
 * its psession cookie) and one per client address, which every request also spends from — so a
 * client cannot escape its limit by inventing a new cookie for each request. Per process: on
 * Workers each isolate counts on its own.
 */
export function createRateLimiter(options: RateLimitOptions) {
  const buckets = new LRUCache<string, Bucket>({ max: options.maxCallers ?? 50_000 });
  const session: Limit = { perMinute: options.perMinute, burst: options.burst };
  const address: Limit = { perMinute: options.addressPerMinute, burst: options.addressBurst };

  /** Takes a token from the key's bucket; the seconds to wait when there is none. */
  function take(key: string, limit: Limit, now: number): number | null {
    if (limit.perMinute === 0) return null;
    const perMs = limit.perMinute / 60_000;
    // Updated in place: looking a bucket up already makes it the most recently seen.
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: limit.burst, updatedAt: now };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMs,
    );
    bucket.updatedAt = now;
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    bucket.tokens -= 1;
    return null;
  }

  /** Spends a token of the address and of the session; null, or the seconds to wait (429). */
  function admit(clientAddress: string, psessionHash: string | null): number | null {
    // perMinute 0 turns rate limiting off altogether (benchmarks, trusted single-user setups).
    if (session.perMinute === 0) return null;
    const now = options.clock.now();
    return (
      take(`a:${clientAddress}`, address, now) ??
      (psessionHash === null ? null : take(`s:${psessionHash}`, session, now))
    );
  }

  return { admit };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** The 429 for a caller who must wait `waitS` seconds (sent in Retry-After as well). */
export function rateLimited(waitS: number): ApiError {
  return new ApiError("rate_limited", `too many requests; retry after ${waitS} s`);
}

/** The rate limiter as middleware: an empty bucket answers 429 with Retry-After. */
export function rateLimit(
  limiter: RateLimiter,
  clientAddress: ClientAddressResolver,
  callers: Callers,
): MiddlewareHandler<AppEnv> {
  return async function limitRate(c, next) {
    const waitS = limiter.admit(clientAddressOf(c, clientAddress), callers.of(c).psessionHash);
    if (waitS !== null) {
      c.header("Retry-After", String(waitS));
      throw rateLimited(waitS);
    }
    return next();
  };
}

import type { MiddlewareHandler } from "hono";
import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import type { AppEnv } from "../app-env.js";
import { type ClientAddressResolver, clientAddressOf } from "../client-address.js";
import { callerOf } from "../credentials.js";
import { ApiError } from "../problem.js";

export interface RateLimitOptions {
  /** Per session (psession cookie). */
  perMinute: number;
  burst: number;
  /** Per client address, whatever cookie the request carries. */
  addressPerMinute: number;
  addressBurst: number;
  clock: Clock;
  /** The client's address, where the runtime knows it. */
  clientAddress: ClientAddressResolver;
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
 * client cannot escape its limit by inventing a new cookie for each request. An empty bucket
 * answers 429 with Retry-After. Per process: on Workers each isolate counts on its own.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const buckets = new LRUCache<string, Bucket>({ max: options.maxCallers ?? 50_000 });
  const session: Limit = { perMinute: options.perMinute, burst: options.burst };
  const address: Limit = { perMinute: options.addressPerMinute, burst: options.addressBurst };

  /** Takes a token from the key's bucket; the seconds to wait when there is none. */
  function take(key: string, limit: Limit, now: number): number | null {
    if (limit.perMinute === 0) return null;
    const perMs = limit.perMinute / 60_000;
    const bucket = buckets.get(key) ?? { tokens: limit.burst, updatedAt: now };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMs,
    );
    bucket.updatedAt = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    bucket.tokens -= 1;
    return null;
  }

  return async function limitRate(c, next) {
    // perMinute 0 turns rate limiting off altogether (benchmarks, trusted single-user setups).
    if (session.perMinute === 0) return next();
    const now = options.clock.now();
    const { psessionHash } = callerOf(c);
    const waitS =
      take(`a:${clientAddressOf(c, options.clientAddress)}`, address, now) ??
      (psessionHash === null ? null : take(`s:${psessionHash}`, session, now));
    if (waitS !== null) {
      c.header("Retry-After", String(waitS));
      throw new ApiError("rate_limited", `too many requests; retry after ${waitS} s`);
    }
    return next();
  };
}

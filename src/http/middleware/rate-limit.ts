import type { Context, MiddlewareHandler } from "hono";
import { LRUCache } from "lru-cache";
import { sha256Hex } from "../../cache/cache-key.js";
import type { Clock } from "../../core/clock.js";
import type { AppEnv } from "../app-env.js";
import { psessionFrom } from "../credentials.js";
import { ApiError } from "../problem.js";

export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  clock: Clock;
  /** The client's address, where the runtime knows it. */
  clientAddress: (c: Context<AppEnv>) => string | undefined;
  /** Callers remembered at most (least recently seen forgotten first). */
  maxCallers?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per caller — the hash of its psession cookie, else its client address — that
 * refills at `perMinute` and holds up to `burst`. An empty bucket answers 429 with Retry-After.
 * Per process: on Workers each isolate counts on its own (see the README).
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const buckets = new LRUCache<string, Bucket>({ max: options.maxCallers ?? 50_000 });
  const perMs = options.perMinute / 60_000;

  return async function limitRate(c, next) {
    if (options.perMinute === 0) return next();
    const cookie = psessionFrom(c.req.header("cookie"));
    const key =
      cookie !== null ? `s:${sha256Hex(cookie)}` : `a:${options.clientAddress(c) ?? "unknown"}`;
    const now = options.clock.now();
    const bucket = buckets.get(key) ?? { tokens: options.burst, updatedAt: now };
    bucket.tokens = Math.min(
      options.burst,
      bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMs,
    );
    bucket.updatedAt = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfterS = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      c.header("Retry-After", String(retryAfterS));
      throw new ApiError("rate_limited", `too many requests; retry after ${retryAfterS} s`);
    }
    bucket.tokens -= 1;
    return next();
  };
}

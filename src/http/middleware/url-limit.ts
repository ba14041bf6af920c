import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../problem.js";

/** Refuses request URLs (path and query) longer than `maxBytes` with a 414 problem. */
export function urlLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async function limitUrl(c, next) {
    // A UTF-8 byte is at most three per UTF-16 unit: a URL this short cannot be too long.
    if (c.req.url.length * 3 <= maxBytes) return next();
    const url = new URL(c.req.url);
    const length = new TextEncoder().encode(url.pathname + url.search).length;
    if (length > maxBytes)
      throw new ApiError("uri_too_long", `request URL is ${length} bytes; at most ${maxBytes}`);
    return next();
  };
}

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../problem.js";

/** Throws a 414 problem when a request URL's path and query are longer than `maxBytes`.
 * `url` may be absolute or a path: only its path and query are counted. */
export function checkUrlLength(url: string, maxBytes: number): void {
  // A UTF-8 byte is at most three per UTF-16 unit: a URL this short cannot be too long.
  if (url.length * 3 <= maxBytes) return;
  const parsed = new URL(url, "http://gateway.invalid");
  const length = new TextEncoder().encode(parsed.pathname + parsed.search).length;
  if (length > maxBytes)
    throw new ApiError("uri_too_long", `request URL is ${length} bytes; at most ${maxBytes}`);
}

/** Refuses request URLs (path and query) longer than `maxBytes` with a 414 problem. */
export function urlLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async function limitUrl(c, next) {
    checkUrlLength(c.req.url, maxBytes);
    return next();
  };
}

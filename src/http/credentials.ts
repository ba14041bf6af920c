import type { Context } from "hono";
import { sha256Hex } from "../cache/cache-key.js";
import type { AppEnv } from "./app-env.js";
import { headerOf } from "./request-header.js";

/** RFC 6265 cookie-octets: what a cookie value may hold, so it can be forwarded verbatim. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]{1,4096}$/;

/**
 * The `psession` value from a Cookie header (surrounding quotes removed, nothing decoded), or
 * null when absent or not a valid cookie value. Only portal sources ever receive it.
 */
export function psessionFrom(cookieHeader: string | undefined): string | null {
  if (cookieHeader === undefined) return null;
  for (const pair of cookieHeader.split(";")) {
    const separator = pair.indexOf("=");
    if (separator === -1 || pair.slice(0, separator).trim() !== "psession") continue;
    let value = pair.slice(separator + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    return COOKIE_VALUE.test(value) ? value : null;
  }
  return null;
}

export interface Caller {
  psession: string | null;
  /** SHA-256 of `psession` (hex): what cache keys, rate-limit buckets and ETags use. */
  psessionHash: string | null;
}

/**
 * Who calls: the psession a Cookie header names and its hash, with `hash` the runtime's
 * SHA-256 (hex). `of(c)` reads and hashes once per request and keeps the caller on the context.
 */
export function createCallers(hash: (text: string) => string = sha256Hex) {
  function from(cookieHeader: string | undefined): Caller {
    const psession = psessionFrom(cookieHeader);
    return { psession, psessionHash: psession === null ? null : hash(psession) };
  }
  function of(c: Context<AppEnv>): Caller {
    let caller = c.get("caller");
    if (caller === undefined) {
      caller = from(headerOf(c, "cookie"));
      c.set("caller", caller);
    }
    return caller;
  }
  return { from, of };
}

export type Callers = ReturnType<typeof createCallers>;

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
  // The last Cookie header read and its caller: a desktop's one user sends the same header on
  // every request, which is then neither parsed nor hashed again. One entry, so no more of
  // anyone's credential is held than the last request carried.
  let lastHeader: string | undefined;
  let lastCaller: Caller = Object.freeze({ psession: null, psessionHash: null });
  function from(cookieHeader: string | undefined): Caller {
    if (cookieHeader === lastHeader) return lastCaller;
    const psession = psessionFrom(cookieHeader);
    const caller = Object.freeze({
      psession,
      psessionHash: psession === null ? null : hash(psession),
    });
    lastHeader = cookieHeader;
    lastCaller = caller;
    return caller;
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

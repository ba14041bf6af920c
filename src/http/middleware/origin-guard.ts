import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../problem.js";
import { headerOf } from "../request-header.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface OriginGuardOptions {
  /** The configured CORS origins: the only foreign origins let through. */
  corsOrigins: readonly string[];
  /** Whether the request's Host was checked (the DNS-rebinding guard runs): only then is a
   * request from the gateway's own origin (its /docs page) let through as well. Without that
   * check, a page that rebinds its own name to the gateway would pass as the gateway's own. */
  trustOwnOrigin: boolean;
  /** Safe-method requests the rule also holds for: those that take something a page must not
   * hold (a live stream takes a slot of its caller's and its address's). */
  guardsRead?: (path: string) => boolean;
}

/** `scheme://host[:port]` of the request as its Host header names it, normalized as URL does
 * (lower case, default port dropped); null when it does not parse. */
function ownOrigin(c: Context<AppEnv>): string | null {
  const { protocol, host } = new URL(c.req.url);
  try {
    return new URL(`${protocol}//${headerOf(c, "host") ?? host}`).origin;
  } catch {
    return null;
  }
}

function sameOrigin(origin: string, own: string | null): boolean {
  if (own === null) return false;
  try {
    return new URL(origin).origin === own;
  } catch {
    return false;
  }
}

/**
 * Refuses a state-changing request (any method but GET, HEAD, OPTIONS), or a read that
 * `guardsRead` names, whose `Origin` is present and neither one of the configured CORS origins
 * nor the gateway's own, whatever cookies it carries (DESIGN §10). CORS alone only stops a
 * foreign page from reading the answer; this stops the write itself, or the stream's slot.
 */
export function originGuard(options: OriginGuardOptions): MiddlewareHandler<AppEnv> {
  const allowed = new Set(options.corsOrigins);
  const guardsRead = options.guardsRead ?? (() => false);
  return async function guardOrigin(c, next) {
    const { method } = c.req;
    // A preflight is never refused here: the CORS middleware answers it.
    const guarded = !SAFE_METHODS.has(method) || (method !== "OPTIONS" && guardsRead(c.req.path));
    if (!guarded) return next();
    const origin = headerOf(c, "origin");
    if (origin === undefined || allowed.has(origin)) return next();
    if (options.trustOwnOrigin && sameOrigin(origin, ownOrigin(c))) return next();
    throw new ApiError(
      "origin_not_allowed",
      `Origin ${JSON.stringify(origin.slice(0, 255))} is not in http.corsOrigins`,
    );
  };
}

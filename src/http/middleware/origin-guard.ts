import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../problem.js";
import { headerOf } from "../request-header.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a state-changing request (any method but GET, HEAD, OPTIONS) whose `Origin` is present
 * and not one of the configured CORS origins, whatever cookies it carries (DESIGN §10). CORS
 * alone only stops a foreign page from reading the answer; this stops the write itself.
 */
export function originGuard(corsOrigins: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(corsOrigins);
  return async function guardOrigin(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = headerOf(c, "origin");
    if (origin === undefined || allowed.has(origin)) return next();
    throw new ApiError(
      "origin_not_allowed",
      `Origin ${JSON.stringify(origin.slice(0, 255))} is not in http.corsOrigins`,
    );
  };
}

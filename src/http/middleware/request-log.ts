import type { MiddlewareHandler } from "hono";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { AppEnv } from "../app-env.js";

export interface RequestLogOptions {
  logger: Logger;
  clock: Clock;
}

/**
 * One JSON line per request: method, path (no query string, which may carry paths), status,
 * duration and, for the chat list, each source's status and duration. Headers are never logged,
 * so neither is a cookie.
 */
export function requestLog({ logger, clock }: RequestLogOptions): MiddlewareHandler<AppEnv> {
  return async function logRequest(c, next) {
    const started = clock.now();
    await next();
    const sources = c.get("sourceLog");
    logger.info({
      event: "request",
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: clock.now() - started,
      ...(sources === undefined ? {} : { sources }),
    });
  };
}

import type { MiddlewareHandler } from "hono";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import { traceIdOf } from "../../observability/tracing.js";
import type { AppEnv } from "../app-env.js";
import { type ClientAddressResolver, clientAddressOf } from "../client-address.js";

export interface RequestLogOptions {
  logger: Logger;
  clock: Clock;
  clientAddress: ClientAddressResolver;
}

/**
 * One JSON line per request: method, path (no query string, which may carry paths), the client's
 * address (as the rate limit sees it), status, duration, the trace id when the request is in
 * a trace and, for the chat list, each source's status and duration. Headers are never logged,
 * so neither is a cookie.
 */
export function requestLog({
  logger,
  clock,
  clientAddress,
}: RequestLogOptions): MiddlewareHandler<AppEnv> {
  return async function logRequest(c, next) {
    const started = clock.now();
    await next();
    const sources = c.get("sourceLog");
    // The trace the request belongs to, so a log line leads to its trace and back.
    const traceId = traceIdOf(c.get("trace"));
    logger.info({
      event: "request",
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      client: clientAddressOf(c, clientAddress),
      status: c.res.status,
      duration_ms: clock.now() - started,
      ...(traceId === undefined ? {} : { trace_id: traceId }),
      ...(sources === undefined ? {} : { sources }),
    });
  };
}

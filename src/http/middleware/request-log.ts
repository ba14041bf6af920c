import type { MiddlewareHandler } from "hono";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import { type TraceContext, traceIdOf } from "../../observability/tracing.js";
import type { AppEnv, AppVariables } from "../app-env.js";
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
    logger.info(
      requestLogEvent({
        requestId: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        client: clientAddressOf(c, clientAddress),
        status: c.res.status,
        durationMs: clock.now() - started,
        trace: c.get("trace"),
        sources: c.get("sourceLog"),
      }),
    );
  };
}

/** The request's log line (see requestLog), for whichever path answered it. */
export function requestLogEvent(request: {
  requestId: string;
  method: string;
  path: string;
  client: string;
  status: number;
  durationMs: number;
  trace: TraceContext | undefined;
  sources: AppVariables["sourceLog"];
}) {
  // The trace the request belongs to, so a log line leads to its trace and back.
  const traceId = traceIdOf(request.trace);
  return {
    event: "request",
    request_id: request.requestId,
    method: request.method,
    path: request.path,
    client: request.client,
    status: request.status,
    duration_ms: request.durationMs,
    ...(traceId === undefined ? {} : { trace_id: traceId }),
    ...(request.sources === undefined ? {} : { sources: request.sources }),
  };
}

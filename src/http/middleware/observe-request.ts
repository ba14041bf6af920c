import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { methodLabel, statusLabel, UNMATCHED_ROUTE } from "../../observability/labels.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import { endSpan, startRequestSpan } from "../../observability/tracing.js";
import { isPassThrough } from "../../proxy/pass-through.js";
import type { AppEnv } from "../app-env.js";
import { headerOf } from "../request-header.js";

/** Paths that are counted but not traced: Prometheus scrapes every few seconds, and a span each
 * time would bury the traces an engineer is looking for. */
const UNTRACED_ROUTES = new Set(["/metrics"]);

/** The route label of every request passed through to the backend (DESIGN §12). */
export const PROXY_ROUTE = "proxy";

/**
 * The route template a request matched (`/api/chat-list`, `/docs/assets/:name`), PROXY_ROUTE
 * for the pass-through, or UNMATCHED_ROUTE: the last matched handler that is a route rather
 * than middleware (Hono registers middleware for every method, "ALL"). Never the request's own
 * path, which could be anything a caller types.
 */
export function routeTemplateOf(c: Context): string {
  const routes = matchedRoutes(c);
  let passedThrough = false;
  for (let index = routes.length - 1; index >= 0; index--) {
    const route = routes[index];
    if (route === undefined) continue;
    // The pass-through matches every path, the gateway's own too: a route of the gateway
    // that matched answers first.
    if (route.method !== "ALL") return route.path;
    if (isPassThrough(route.handler)) passedThrough = true;
  }
  if (passedThrough) return PROXY_ROUTE;
  return UNMATCHED_ROUTE;
}

/**
 * Starts observing one request: its span (continuing the client's `traceparent`, unless the
 * route is untraced) and, when `finish` is called with the status, its metrics: requests by
 * route, method and status, and their duration.
 */
export function beginRequest(
  metrics: GatewayMetrics,
  route: string,
  method: string,
  traceparent: string | undefined,
) {
  const started = performance.now();
  const methodText = methodLabel(method);
  const request = UNTRACED_ROUTES.has(route)
    ? null
    : startRequestSpan(
        route === UNMATCHED_ROUTE ? methodText : `${methodText} ${route}`,
        traceparent,
        {
          "http.request.method": methodText,
          "http.route": route,
        },
      );
  return {
    trace: request?.context,
    finish(status: number): void {
      metrics.requestFinished(
        route,
        methodText,
        statusLabel(status),
        (performance.now() - started) / 1000,
      );
      if (request !== null) {
        request.span.setAttribute("http.response.status_code", status);
        endSpan(request, status >= 500 ? `answered HTTP ${status}` : null);
      }
    },
  };
}

/**
 * beginRequest as middleware. Outermost but the request id, so what every later middleware
 * answers (421, 429, 401...) is counted and traced too.
 */
export function observeRequest(metrics: GatewayMetrics): MiddlewareHandler<AppEnv> {
  return async function observe(c, next) {
    const request = beginRequest(
      metrics,
      routeTemplateOf(c),
      c.req.method,
      headerOf(c, "traceparent"),
    );
    if (request.trace !== undefined) c.set("trace", request.trace);
    try {
      await next();
    } finally {
      request.finish(c.res.status);
    }
  };
}

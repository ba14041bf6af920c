import type { OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { AppEnv } from "./app-env.js";

/**
 * GET /metrics (DESIGN §11), when the metrics can be scraped (Node's prom-client). Not under
 * /api/*, so the rate limit never refuses a scrape; the access token and the Host check apply
 * as to every route. It reads what the process already holds and calls no upstream, so a
 * scrape stays fast whatever the sources do. Not in the OpenAPI document: it is Prometheus
 * text, not JSON.
 */
export function registerMetrics(app: OpenAPIHono<AppEnv>, metrics: GatewayMetrics): void {
  const scrape = metrics.scrape?.bind(metrics);
  if (scrape === undefined) return;
  app.get("/metrics", async (c) => {
    const { contentType, body } = await scrape();
    return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
  });
}

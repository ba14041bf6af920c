// The gateway as the benchmark runs it: its own process, the Node runtime's pieces (undici pool,
// @hono/node-server), config from BENCH_CONFIG_JSON, no request log. One extra route,
// /bench/static, answers with bytes captured from /api/chat-list once: the ceiling a cached list
// is compared with (a bare Hono route in the same server returning the same bytes).
// BENCH_INSTRUMENTATION=on gives the app the Node entry's prom-client metrics (process metrics
// included), as `npm start` runs it when no OTLP endpoint is set; otherwise (off) the app has no
// metrics, as before issue 14. Spans are the OpenTelemetry API's no-ops either way: no SDK.

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { parseConfig } from "../src/config/load.js";
import { createApp } from "../src/http/app.js";
import { cutConnection } from "../src/runtime/node/cut-connection.js";
import { alreadySentAware, directStreams } from "../src/runtime/node/direct-streams.js";
import { createPrometheusMetrics } from "../src/runtime/node/prometheus-metrics.js";
import { nodeRequestHeaders } from "../src/runtime/node/request-headers.js";
import { createPooledFetch } from "../src/runtime/node/undici-fetch.js";

const config = parseConfig(JSON.parse(process.env.BENCH_CONFIG_JSON ?? "{}"));
const pool = createPooledFetch(config.upstream.connectionsPerOrigin);
const instrumented = process.env.BENCH_INSTRUMENTATION === "on";
const app = createApp({
  config,
  fetch: pool.fetch,
  // The Node entry's ways with node-server: its parsed request headers, streams written to
  // the connection, a slow stream's socket cut.
  rawHeadersOf: nodeRequestHeaders,
  directStreams,
  cutConnection,
  ...(instrumented ? { metrics: createPrometheusMetrics() } : {}),
});

let captured: { body: ArrayBuffer; headers: Headers } | undefined;
app.get("/bench/static", (c) => {
  if (captured === undefined) return c.text("capture first: GET /bench/capture", 503);
  return c.body(captured.body, 200, Object.fromEntries(captured.headers));
});
app.get("/bench/capture", async (c) => {
  const response = await app.request(`/api/chat-list?${new URL(c.req.url).search.slice(1)}`);
  captured = { body: await response.arrayBuffer(), headers: response.headers };
  return c.json({ bytes: captured.body.byteLength });
});

app.get("/bench/memory", async (c) => {
  // A full collection first when allowed (--expose-gc), so what is left is live data; twice,
  // a moment apart, since array buffers are freed on a background thread after the first.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
    gc();
  }
  return c.json(process.memoryUsage());
});

const server = serve(
  { fetch: alreadySentAware(app.fetch), port: 0, hostname: "127.0.0.1" },
  (info: AddressInfo) => {
    process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
  },
);
process.on("SIGTERM", () => {
  server.close();
  void pool.close().finally(() => process.exit(0));
});

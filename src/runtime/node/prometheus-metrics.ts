import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { GatewayMetrics, GaugeReaders } from "../../observability/metrics.js";
import { talliedCounter, talliedHistogram } from "./tallies.js";

/** Seconds, from a warm cached answer (well under a millisecond) to a deadline hit. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

const GAUGES_NAMED_LIKE_COUNTERS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

export interface PrometheusMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC): on for the gateway, off for
   * tests that compare whole scrapes. */
  processMetrics?: boolean;
}

/**
 * DESIGN §11's series in prom-client, in a registry of their own (not prom-client's global
 * one), exposed by GET /metrics. Counters and histograms are tallied by the app's calls (see
 * tallies.ts); gauges read the gateway's state when scraped.
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // prom-client's totals of the active handles, requests and resources are gauges named like
    // counters, which `promtool check metrics` refuses (exit 3), failing an operator's lint.
    // Their per-type gauges stay (nodejs_active_handles and so on): sum them for the total.
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  }

  const requests = talliedCounter(
    {
      name: "chat_list_http_requests_total",
      help: "Requests answered, by route template, method and status code.",
      labelNames: ["route", "method", "status"],
    },
    registry,
  );
  const requestSeconds = talliedHistogram(
    {
      name: "chat_list_http_request_duration_seconds",
      help: "Time to answer a request (to its headers, for streams), by route template and method.",
      labelNames: ["route", "method"],
      buckets: DURATION_BUCKETS,
    },
    registry,
  );
  const sourceResults = talliedCounter(
    {
      name: "chat_list_source_results_total",
      help: "Each source's part of each collection (list, mark, live refresh), by the status the response reports.",
      labelNames: ["source", "kind", "status"],
    },
    registry,
  );
  const loadSeconds = talliedHistogram(
    {
      name: "chat_list_source_load_duration_seconds",
      help: "Upstream loads of a source (cache misses and background refreshes), by outcome.",
      labelNames: ["source", "kind", "outcome"],
      buckets: DURATION_BUCKETS,
    },
    registry,
  );
  const cacheLookups = talliedCounter(
    {
      name: "chat_list_cache_lookups_total",
      help: "Per-source cache lookups by result: hit, miss, revalidating (expired, served while it refreshes), stale (served because refreshing failed).",
      labelNames: ["source", "result"],
    },
    registry,
  );
  const markerWrites = talliedCounter(
    {
      name: "chat_list_read_marker_writes_total",
      help: "Writes to the read-marker store: advance (a mark) or first_sight, by result.",
      labelNames: ["kind", "result"],
    },
    registry,
  );

  const writes = talliedCounter(
    {
      name: "chat_list_writes_total",
      help: "Writes through the gateway (create_chat, send_message), by outcome: created, replayed (an Idempotency-Key's stored answer), or the problem code answered.",
      labelNames: ["kind", "outcome"],
    },
    registry,
  );
  const writeSeconds = talliedHistogram(
    {
      name: "chat_list_write_duration_seconds",
      help: "Time to answer a write, the portal's part included, by kind and outcome.",
      labelNames: ["kind", "outcome"],
      buckets: DURATION_BUCKETS,
    },
    registry,
  );

  let readers: GaugeReaders | undefined;
  new Gauge({
    name: "chat_list_circuit_open",
    help: "1 while a source's circuit holds calls back (open after failures, or the upstream's Retry-After), else 0.",
    labelNames: ["source"] as const,
    registers,
    collect() {
      for (const { source, open } of readers?.circuits() ?? []) this.set({ source }, open ? 1 : 0);
    },
  });
  new Gauge({
    name: "chat_list_live_streams",
    help: "Live list streams open in this process.",
    registers,
    collect() {
      this.set(readers?.streams().open ?? 0);
    },
  });
  new Gauge({
    name: "chat_list_live_feeds",
    help: "Distinct (caller, query) feeds behind the open streams: each is one refresh loop.",
    registers,
    collect() {
      this.set(readers?.streams().feeds ?? 0);
    },
  });
  new Gauge({
    name: "chat_list_proxy_open_streams",
    help: "Answers of the fronted backend being streamed through the gateway now (SSE, downloads).",
    registers,
    collect() {
      this.set(readers?.proxied().streams ?? 0);
    },
  });
  new Gauge({
    name: "chat_list_proxy_open_sockets",
    help: "WebSockets proxied to the fronted backend now.",
    registers,
    collect() {
      this.set(readers?.proxied().sockets ?? 0);
    },
  });
  new Gauge({
    name: "chat_list_portal_budget_left",
    help: "Portal calls (history, who-am-I) the gateway-wide budget allows now; 0 while the portal's Retry-After lasts.",
    labelNames: ["source"] as const,
    registers,
    collect() {
      for (const { source, left } of readers?.portalBudgets() ?? []) this.set({ source }, left);
    },
  });

  return {
    requestFinished(route, method, status, seconds) {
      requests(route, method, status);
      requestSeconds(route, method, "", seconds);
    },
    sourceReported(source, kind, status) {
      sourceResults(source, kind, status);
    },
    cacheLookup(source, result) {
      cacheLookups(source, result);
    },
    sourceLoaded(source, kind, outcome, seconds) {
      loadSeconds(source, kind, outcome, seconds);
    },
    markerWrite(kind, ok) {
      markerWrites(kind, ok ? "ok" : "error");
    },
    writeFinished(kind, outcome, seconds) {
      writes(kind, outcome);
      writeSeconds(kind, outcome, "", seconds);
    },
    readGauges(given) {
      readers = given;
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

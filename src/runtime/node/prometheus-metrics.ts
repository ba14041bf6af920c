import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { GatewayMetrics, GaugeReaders } from "../../observability/metrics.js";

/** Seconds, from a warm cached answer (well under a millisecond) to a deadline hit. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

const SEPARATOR = "\u0001"; // in no label value: route templates, config names, closed sets

/**
 * A counter tallied in a Map and handed to prom-client only when scraped: the request path
 * pays one Map update instead of prom-client's label validation and hashing. `labelNames` name
 * the parts of the key, in order.
 */
function talliedCounter<L extends string>(
  config: { name: string; help: string; labelNames: readonly L[] },
  registers: Registry[],
) {
  const counts = new Map<string, number>();
  new Counter({
    ...config,
    registers,
    collect() {
      this.reset();
      for (const [key, count] of counts) {
        const values = key.split(SEPARATOR);
        const labels = Object.fromEntries(config.labelNames.map((name, i) => [name, values[i]]));
        this.inc(labels as Record<L, string>, count);
      }
    },
  });
  return (...values: string[]) => {
    const key = values.length === 1 ? (values[0] as string) : values.join(SEPARATOR);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
}

export interface PrometheusMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC): on for the gateway, off for
   * tests that compare whole scrapes. */
  processMetrics?: boolean;
}

/**
 * DESIGN §11's series in prom-client, in a registry of their own (not prom-client's global
 * one), exposed by GET /metrics. Counters and histograms are moved by the app's calls; gauges
 * read the gateway's state when scraped.
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const requests = talliedCounter(
    {
      name: "chat_list_http_requests_total",
      help: "Requests answered, by route template, method and status code.",
      labelNames: ["route", "method", "status"],
    },
    registers,
  );
  const requestSeconds = new Histogram({
    name: "chat_list_http_request_duration_seconds",
    help: "Time to answer a request (to its headers, for streams), by route template and method.",
    labelNames: ["route", "method"] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const sourceResults = talliedCounter(
    {
      name: "chat_list_source_results_total",
      help: "Each source's part of each collection (list, mark, live refresh), by the status the response reports.",
      labelNames: ["source", "kind", "status"],
    },
    registers,
  );
  const loadSeconds = new Histogram({
    name: "chat_list_source_load_duration_seconds",
    help: "Upstream loads of a source (cache misses and background refreshes), by outcome.",
    labelNames: ["source", "kind", "outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const cacheLookups = talliedCounter(
    {
      name: "chat_list_cache_lookups_total",
      help: "Per-source cache lookups by result: hit, miss, revalidating (expired, served while it refreshes), stale (served because refreshing failed).",
      labelNames: ["source", "result"],
    },
    registers,
  );
  const markerWrites = talliedCounter(
    {
      name: "chat_list_read_marker_writes_total",
      help: "Writes to the read-marker store: advance (a mark) or first_sight, by result.",
      labelNames: ["kind", "result"],
    },
    registers,
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
      requestSeconds.observe({ route, method }, seconds);
    },
    sourceReported(source, kind, status) {
      sourceResults(source, kind, status);
    },
    cacheLookup(source, result) {
      cacheLookups(source, result);
    },
    sourceLoaded(source, kind, outcome, seconds) {
      loadSeconds.observe({ source, kind, outcome }, seconds);
    },
    markerWrite(kind, ok) {
      markerWrites(kind, ok ? "ok" : "error");
    },
    readGauges(given) {
      readers = given;
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

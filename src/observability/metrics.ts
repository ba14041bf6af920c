import type { SourceStatus } from "../sources/collect.js";
import type {
  CacheLookup,
  LoadOutcome,
  MarkerWrite,
  MethodLabel,
  WriteKind,
  WriteOutcome,
} from "./labels.js";

/** What the gauges read when metrics are scraped: state the gateway already holds, read on
 * demand, so keeping a gauge current costs the hot path nothing. */
export interface GaugeReaders {
  /** Per source: whether its circuit holds calls back now (open, or the upstream's
   * Retry-After). */
  circuits(): ReadonlyArray<{ source: string; open: boolean }>;
  /** Live streams open in this process, and the feeds (distinct caller and query) behind them. */
  streams(): { open: number; feeds: number };
  /** Passed-through answers being streamed and WebSockets proxied now (DESIGN §12). */
  proxied(): { streams: number; sockets: number };
  /** Per portal source: calls left this minute in its gateway-wide history/identity budget. */
  portalBudgets(): ReadonlyArray<{ source: string; left: number }>;
}

/** A Prometheus text exposition, ready to serve. */
export interface Scrape {
  contentType: string;
  body: string;
}

/**
 * The gateway's instrumentation points (DESIGN §11), runtime-neutral: the app calls these, a
 * runtime gives the implementation (prom-client on Node), and the default does nothing. Every
 * label value passed in comes from a closed set (see labels.ts) or from the configuration
 * (source names and kinds, route templates).
 */
export interface GatewayMetrics {
  /** One request answered: its route template, method, status, and seconds taken. */
  requestFinished(route: string, method: MethodLabel, status: string, seconds: number): void;
  /** One source's part of one collection (a list request, a mark, a live refresh), as the
   * response reports it. */
  sourceReported(source: string, kind: string, status: SourceStatus): void;
  /** How the cache answered that source's lookup, when it was looked up. */
  cacheLookup(source: string, result: CacheLookup): void;
  /** One upstream load of a source — a miss, or a background refresh — and its seconds. */
  sourceLoaded(source: string, kind: string, outcome: LoadOutcome, seconds: number): void;
  /** One write to the read-marker store, and whether it succeeded. */
  markerWrite(kind: MarkerWrite, ok: boolean): void;
  /** One write through the gateway (DESIGN §13) answered: its kind, how it ended, and the
   * seconds it took (the portal's part included). */
  writeFinished(kind: WriteKind, outcome: WriteOutcome, seconds: number): void;
  /** Hands the metrics what their gauges read when scraped. */
  readGauges(readers: GaugeReaders): void;
  /** The exposition, where this implementation serves one: then GET /metrics exists. */
  scrape?(): Promise<Scrape>;
}

/** Instrumentation that records nothing: tests, and runtimes that export no metrics. */
export const noMetrics: GatewayMetrics = {
  requestFinished() {},
  sourceReported() {},
  cacheLookup() {},
  sourceLoaded() {},
  markerWrite() {},
  writeFinished() {},
  readGauges() {},
};

import { LRUCache } from "lru-cache";
import { sha256Hex, sourceCacheKey } from "../cache/cache-key.js";
import type { CacheResult, SourceCache } from "../cache/source-cache.js";
import type { Clock } from "../core/clock.js";
import type { ChatListItem } from "../core/items.js";
import type { Logger } from "../core/logger.js";
import type { CacheLookup, LoadOutcome } from "../observability/labels.js";
import { type GatewayMetrics, noMetrics } from "../observability/metrics.js";
import {
  endSpan,
  type StartedSpan,
  startSpan,
  type TraceContext,
  UNTRACED,
} from "../observability/tracing.js";
import { createDeadline, raceAbort } from "../upstream/deadline.js";
import { UpstreamError } from "../upstream/upstream-error.js";
import { type CircuitBreaker, createCircuitBreaker } from "./circuit-breaker.js";
import type { Credentials, Source, SourceLoad, SourcePlan, SourceQuery } from "./source.js";

/** The kinds that read this machine's disk: their failures belong to a workspace. */
const isLocalKind = (kind: string) => kind.startsWith("local_");

import { classify, SourceFailure, type SourceReport, type SourceStatus } from "./source-report.js";

export { SOURCE_STATUSES, type SourceReport, type SourceStatus } from "./source-report.js";

export interface Collected {
  report: SourceReport;
  /** The source's items: the very array its cache entry holds, so an unchanged result is the
   * same object from one request to the next (the response memo relies on that). */
  items: readonly ChatListItem[];
  /** Upstream entries dropped as malformed: for the request log, not the response. */
  dropped: number;
  /** What loading cost, when this request loaded the source (not served from cache). */
  cost?: Record<string, number>;
  /** The read-state seam of the source's load (see SourceLoad), when it answered. */
  unread?: SourceLoad["unread"];
  identity?: SourceLoad["identity"];
  /** How the cache answered, when the source was looked up in it (for metrics and spans). */
  cache?: CacheLookup;
  /** The source was skipped because the caller sent no credentials for it (see SourcePlan). */
  missingCredentials?: true;
}

export interface CollectorOptions {
  sources: readonly Source[];
  cache: SourceCache<SourceLoad>;
  clock: Clock;
  logger: Logger;
  deadlineMs: number;
  unauthorizedTtlMs: number;
  breaker: { failureThreshold: number; cooldownMs: number };
  metrics?: GatewayMetrics;
  /** SHA-256 (hex) for the hash of a credential in a cache key; @noble/hashes when absent. */
  sha256Hex?: (text: string) => string;
}

export interface CollectOptions {
  waitUntil?: (work: Promise<unknown>) => void;
  /** Live feeds: wait for expired entries' refreshes (see GetOptions.awaitRefresh). */
  awaitRefresh?: boolean;
  /** Sources to load again however fresh their entry (a disk watcher saw their files change). */
  reload?: ReadonlySet<string>;
  /** A live feed's memory of refusals, by source name: a source whose upstream refused the
   * credential it forwarded is written here, and a source found here is reported
   * `unauthorized` with that reason and not asked again — so a feed spends nothing on a cookie
   * the portal refused, however long its streams stay open. */
  refusals?: Map<string, string>;
  /** The request's span: each source gets a span under it. Absent: no spans (a live feed's
   * refresh loop, which belongs to no request). */
  trace?: TraceContext;
  /** Only these sources are asked; the others are reported skipped (a write looking up one
   * portal's chats need not read the disk). */
  only?: ReadonlySet<string>;
}

/** The items of a source that yielded none: one shared array, for identity checks. */
const NO_ITEMS: readonly ChatListItem[] = Object.freeze([]);

const round = (ms: number) => Math.round(ms * 10) / 10;

const CACHE_LOOKUP: Record<CacheResult<SourceLoad>["state"], CacheLookup> = {
  fresh: "hit",
  loaded: "miss",
  revalidating: "revalidating",
  stale: "stale",
};

/**
 * Asks every source for one request, in parallel, each through the cache and under its own
 * timeout and the request deadline. Always yields one entry per source, in config order.
 */
export function createCollector(options: CollectorOptions) {
  const { clock, logger } = options;
  const metrics = options.metrics ?? noMetrics;
  const hash = options.sha256Hex ?? sha256Hex;
  // An upstream's breaker is per source: the upstream is one service, failing for everyone.
  const breakers = new Map(
    options.sources.map((source) => [
      source.name,
      createCircuitBreaker({ ...options.breaker, clock }),
    ]),
  );
  // A local source's are per scope (its workspace): one user's folder that fails — too big, too
  // slow, hostile — opens the circuit for that workspace alone, never for everyone's.
  const scopedBreakers = new Map(
    options.sources
      .filter((source) => isLocalKind(source.kind))
      .map((source) => [source.name, new LRUCache<string, CircuitBreaker>({ max: 10_000 })]),
  );
  function breakerFor(source: Source, scopeKey: string): CircuitBreaker {
    const scoped = scopedBreakers.get(source.name);
    if (scoped === undefined) return breakers.get(source.name) as CircuitBreaker;
    let breaker = scoped.get(scopeKey);
    if (breaker === undefined) {
      breaker = createCircuitBreaker({ ...options.breaker, clock });
      scoped.set(scopeKey, breaker);
    }
    return breaker;
  }
  // A refused credential is remembered briefly so a bad session cannot hammer an upstream.
  const refused = new LRUCache<string, string>({
    max: 10_000,
    ttl: Math.max(1, options.unauthorizedTtlMs),
  });

  function report(source: Source, status: SourceStatus, fields: Partial<SourceReport> = {}) {
    return {
      name: source.name,
      kind: source.kind,
      status,
      item_count: 0,
      duration_ms: 0,
      age_ms: null,
      error: null,
      note: null,
      ...fields,
    } satisfies SourceReport;
  }

  /**
   * One source's part: at once from a fresh cache entry (no promise, deadline, loader or race:
   * the warm path and a live feed's refresh stay cheap), else through loadOne.
   */
  function collectOne(
    source: Source,
    plan: Extract<SourcePlan, { action: "load" }>,
    requestSignal: () => AbortSignal,
    credentials: Credentials,
    collectOptions: CollectOptions,
    trace: TraceContext | undefined,
  ): Promise<Collected> | Collected {
    const started = clock.now();
    const credentialHash =
      plan.credential === null
        ? null
        : plan.credential === credentials.psession && credentials.psessionHash
          ? credentials.psessionHash
          : hash(plan.credential);
    const key = sourceCacheKey(source.name, plan.scope, credentialHash);
    const remembered = options.unauthorizedTtlMs > 0 ? refused.get(key) : undefined;
    if (remembered !== undefined && credentialHash !== null)
      collectOptions.refusals?.set(source.name, remembered);
    if (remembered !== undefined)
      return {
        report: report(source, "unauthorized", { error: remembered }),
        items: NO_ITEMS,
        dropped: 0,
      };

    const reload = collectOptions.reload?.has(source.name) === true;
    const fresh = reload ? undefined : options.cache.peekFresh(key);
    if (fresh !== undefined)
      return answered(source, plan, fresh, started, collectOptions.waitUntil);
    return loadOne(
      source,
      plan,
      key,
      credentialHash,
      requestSignal,
      collectOptions,
      trace,
      started,
      reload,
    );
  }

  /** One source's part through the cache, loading it from its upstream when it must. */
  async function loadOne(
    source: Source,
    plan: Extract<SourcePlan, { action: "load" }>,
    key: string,
    credentialHash: string | null,
    requestSignal: () => AbortSignal,
    collectOptions: CollectOptions,
    trace: TraceContext | undefined,
    started: number,
    reload: boolean,
  ): Promise<Collected> {
    const timeoutMs = Math.min(source.timeoutMs, options.deadlineMs);
    const breaker = breakerFor(source, key);
    const loader = async () => {
      const refusal = breaker.refusal();
      if (refusal !== null) throw new SourceFailure({ status: "error", reason: refusal });
      const deadline = createDeadline(timeoutMs);
      const loadStarted = performance.now();
      // Every upstream load, foreground or background refresh, by how it ended.
      const loaded = (outcome: LoadOutcome) =>
        metrics.sourceLoaded(
          source.name,
          source.kind,
          outcome,
          (performance.now() - loadStarted) / 1000,
        );
      try {
        const load = await plan.load({
          signal: deadline.signal,
          remainingMs: () => timeoutMs - (performance.now() - loadStarted),
          callerKey: credentialHash ?? "anonymous",
          ...(trace === undefined ? {} : { trace }),
        });
        breaker.succeeded();
        loaded("ok");
        return load;
      } catch (error) {
        breaker.failed(
          deadline.signal.aborted && !(error instanceof UpstreamError)
            ? new UpstreamError({ kind: "timeout", message: "timed out" })
            : error,
        );
        const failure = classify(error, deadline.signal.aborted, timeoutMs);
        // A load held back by the upstream's Retry-After made no call: not a load to count.
        if (!(error instanceof UpstreamError && error.kind === "held")) loaded(failure.status);
        // A refused credential must not keep seeing its old list as "stale": drop the entry.
        if (failure.status === "unauthorized") {
          refused.set(key, failure.reason);
          options.cache.delete(key);
        }
        if (failure.reason.startsWith("internal"))
          logger.error({
            event: "source_adapter_failed",
            source: source.name,
            error: String(error),
          });
        throw new SourceFailure(failure);
      } finally {
        deadline.dispose();
      }
    };

    let result: CacheResult<SourceLoad>;
    try {
      result = await raceAbort(
        options.cache.get(key, loader, {
          ...(collectOptions.waitUntil === undefined
            ? {}
            : { waitUntil: collectOptions.waitUntil }),
          awaitRefresh: collectOptions.awaitRefresh === true,
          reload,
        }),
        requestSignal(),
      );
    } catch (error) {
      const failure =
        error instanceof SourceFailure
          ? error.failure
          : classify(error, requestSignal().aborted, options.deadlineMs);
      if (failure.status === "unauthorized" && credentialHash !== null)
        collectOptions.refusals?.set(source.name, failure.reason);
      const duration_ms = round(clock.now() - started);
      return {
        report: report(source, failure.status, { duration_ms, error: failure.reason }),
        items: NO_ITEMS,
        dropped: 0,
        cache: "miss",
      };
    }
    return answered(source, plan, result, started, collectOptions.waitUntil);
  }

  /** A source's part from what its cache answered. */
  function answered(
    source: Source,
    plan: Extract<SourcePlan, { action: "load" }>,
    result: CacheResult<SourceLoad>,
    started: number,
    waitUntil: CollectOptions["waitUntil"],
  ): Collected {
    // Writes made through the gateway since the load (DESIGN §13) show at once, on every load.
    const value = source.overlay === undefined ? result.value : source.overlay(result.value);
    const { items, dropped, unread } = value;
    let { identity, identityUnknown } = value;
    // A cached load's missing identity is looked at again: it may be known by now.
    if (identity === null && result.state !== "loaded" && plan.knownIdentity !== undefined) {
      const known = plan.knownIdentity(waitUntil);
      if (known !== null) {
        identity = known;
        identityUnknown = undefined;
      }
    }
    const note = value.note ?? null;
    const unreadNote =
      identity === null && identityUnknown !== undefined
        ? `unread counts unavailable: ${identityUnknown}`
        : null;
    const stale = result.state === "stale";
    // Built field by field, not spread: this runs for every source of every warm request and
    // every live refresh. The same fields, in the same order, as report() gives.
    const collected: Collected = {
      report: {
        name: source.name,
        kind: source.kind,
        status: stale ? "stale" : "ok",
        item_count: items.length,
        duration_ms: round(clock.now() - started),
        age_ms: result.ageMs,
        error: stale ? `serving cached data: ${result.reason}` : null,
        note: unreadNote === null ? note : note === null ? unreadNote : `${note}; ${unreadNote}`,
      },
      items,
      cache: CACHE_LOOKUP[result.state],
      dropped: result.state === "loaded" ? dropped : 0,
    };
    if (result.state === "loaded" && value.cost !== undefined) collected.cost = value.cost;
    if (unread !== undefined) collected.unread = unread;
    if (identity !== undefined) collected.identity = identity;
    return collected;
  }

  function collectSource(
    source: Source,
    query: SourceQuery,
    credentials: Credentials,
    requestSignal: () => AbortSignal,
    collectOptions: CollectOptions,
    trace: TraceContext | undefined,
  ): Promise<Collected> | Collected {
    if (
      !query.types.includes(source.itemType) ||
      (collectOptions.only !== undefined && !collectOptions.only.has(source.name))
    )
      return { report: report(source, "skipped"), items: NO_ITEMS, dropped: 0 };
    const refusal = collectOptions.refusals?.get(source.name);
    if (refusal !== undefined)
      return {
        report: report(source, "unauthorized", { error: refusal }),
        items: NO_ITEMS,
        dropped: 0,
      };
    const plan = source.plan(query, credentials);
    if (plan.action === "skip") {
      if (plan.missingCredentials === undefined)
        return { report: report(source, "skipped"), items: NO_ITEMS, dropped: 0 };
      return {
        report: report(source, "skipped", { note: plan.missingCredentials }),
        items: NO_ITEMS,
        dropped: 0,
        missingCredentials: true,
      };
    }
    return collectOne(source, plan, requestSignal, credentials, collectOptions, trace);
  }

  /** Counts a source's part in the metrics and ends its span with what the response says. */
  function observed(source: Source, collected: Collected, span: StartedSpan | null): Collected {
    const { status } = collected.report;
    metrics.sourceReported(source.name, source.kind, status);
    if (collected.cache !== undefined) metrics.cacheLookup(source.name, collected.cache);
    if (span !== null) {
      span.span.setAttributes({
        "chat_list.source.status": status,
        "chat_list.source.items": collected.report.item_count,
        ...(collected.cache === undefined ? {} : { "chat_list.cache": collected.cache }),
      });
      endSpan(span, status === "error" || status === "timeout" ? collected.report.error : null);
    }
    return collected;
  }

  async function collect(
    query: SourceQuery,
    credentials: Credentials,
    collectOptions: CollectOptions = {},
  ): Promise<Collected[]> {
    // The request deadline, created only when some source has to wait for an upstream.
    let deadline: ReturnType<typeof createDeadline> | undefined;
    const requestSignal = () => {
      deadline ??= createDeadline(options.deadlineMs);
      return deadline.signal;
    };
    try {
      // Every source answered at once (fresh entries) needs no promise of its own.
      let waiting = false;
      const parts = options.sources.map((source): Promise<Collected> | Collected => {
        const span = startSpan(`source ${source.name}`, collectOptions.trace ?? UNTRACED, {
          "chat_list.source.name": source.name,
          "chat_list.source.kind": source.kind,
        });
        const collected = collectSource(
          source,
          query,
          credentials,
          requestSignal,
          collectOptions,
          span?.context,
        );
        if (!(collected instanceof Promise)) return observed(source, collected, span);
        waiting = true;
        return collected.then((one) => observed(source, one, span));
      });
      return waiting ? await Promise.all(parts) : (parts as Collected[]);
    } finally {
      deadline?.dispose();
    }
  }

  /** Per source, whether its circuit holds calls back now (for /metrics); a local source's,
   * whether it does for any workspace. */
  function circuits() {
    return options.sources.map((source) => {
      const scoped = scopedBreakers.get(source.name);
      if (scoped === undefined)
        return {
          source: source.name,
          open: (breakers.get(source.name) as CircuitBreaker).isOpen(),
        };
      let open = false;
      for (const breaker of scoped.values()) open ||= breaker.isOpen();
      return { source: source.name, open };
    });
  }

  return { collect, circuits };
}

export type Collector = ReturnType<typeof createCollector>;

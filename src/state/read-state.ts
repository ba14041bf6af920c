import { LRUCache } from "lru-cache";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import {
  comparePositions,
  type MessagePosition,
  ownNewest,
  type UnreadBasis,
} from "../core/unread.js";
import type { MarkerWrite } from "../observability/labels.js";
import { type GatewayMetrics, noMetrics } from "../observability/metrics.js";
import { endSpan, startSpan, type TraceContext, UNTRACED } from "../observability/tracing.js";
import type {
  AdvanceResult,
  IdentityEntries,
  MarkerEntry,
  ReadMarkerStore,
} from "./read-marker-store.js";

export interface ReadStateOptions {
  store: ReadMarkerStore;
  clock: Clock;
  logger: Logger;
  /** How long an identity's markers are reused before they are read again: what another
   * instance wrote reaches a store that cannot announce it (sqlite, a Worker isolate) this late. */
  markerTtlMs?: number;
  /** After the store failed, how long requests do without it before asking again. */
  retryMs?: number;
  metrics?: GatewayMetrics;
}

interface IdentityMarkers {
  /** By item id: its marker, or null when the store has none. */
  markers: Map<string, MessagePosition | null>;
  /** Bumped whenever a marker changes: memo and ETag keys carry it. */
  version: number;
  loadedAt: number;
  /** Unread maps (a source load's) whose every item is in `markers`: the warm path's check. */
  covered: WeakSet<ReadonlyMap<string, UnreadBasis>>;
}

/** One source's part of a request: whose markers apply to its items, and their unread bases. */
export interface ReadableSource {
  identity: string;
  unread: ReadonlyMap<string, UnreadBasis>;
}

/** The markers one request needs, loaded; `null` markers when the store could not be read. */
export interface MarkerSnapshot {
  /** By identity: its markers, or undefined when the store is unavailable. */
  markersOf(identity: string): ReadonlyMap<string, MessagePosition | null> | undefined;
  /** Changes whenever a marker these counts use changes: a memo and ETag key. */
  version: string;
  /** Why unread counts are unavailable, when they are. */
  unavailable: string | null;
}

const FIRST_POSITION: MessagePosition = { ms: 0, seq: 0 };

/**
 * Read markers as requests use them (DESIGN §8): cached per identity in memory, loaded from the
 * store once per identity and item, kept current by the store's change announcements and by
 * this process's own marks, and re-read after `markerTtlMs`. Portal chats seen for the first
 * time get their first-sight marker here; a portal chat in which the caller has posted since
 * their marker gets the marker moved up to that message.
 */
export function createReadState(options: ReadStateOptions) {
  const { store, clock, logger } = options;
  const markerTtlMs = options.markerTtlMs ?? 10_000;
  const retryMs = options.retryMs ?? 5_000;
  const metrics = options.metrics ?? noMetrics;

  /** One write to the store, counted, and under a span of the request that causes it. */
  async function written<T>(
    kind: MarkerWrite,
    trace: TraceContext,
    entries: number,
    write: () => Promise<T>,
  ): Promise<T> {
    const span = startSpan(`read-markers ${kind.replace("_", "-")}`, trace, {
      "chat_list.store.kind": store.kind,
      "chat_list.markers": entries,
    });
    try {
      const result = await write();
      metrics.markerWrite(kind, true);
      endSpan(span);
      return result;
    } catch (error) {
      metrics.markerWrite(kind, false);
      endSpan(span, "the read-marker store failed");
      throw error;
    }
  }
  const cache = new LRUCache<string, IdentityMarkers>({ max: 10_000 });
  let downUntil = 0;
  let downReason: string | null = null;

  // One counter for every identity: an identity forgotten by the LRU and seen again never gets
  // a version it had before, which a memoized response could otherwise match.
  let versions = 0;
  function bump(entry: IdentityMarkers): void {
    entry.covered = new WeakSet();
    entry.version = ++versions;
  }

  function entryOf(identity: string): IdentityMarkers {
    let entry = cache.get(identity);
    if (entry === undefined) {
      entry = {
        markers: new Map(),
        version: ++versions,
        loadedAt: clock.now(),
        covered: new WeakSet(),
      };
      cache.set(identity, entry);
    }
    return entry;
  }

  function changed(identity: string, itemIds: readonly string[]): void {
    const entry = cache.get(identity);
    if (entry === undefined) return;
    if (itemIds.length === 0) entry.markers.clear();
    else for (const id of itemIds) entry.markers.delete(id);
    bump(entry);
  }
  const unsubscribe = store.subscribe((change) => changed(change.identity, change.itemIds));

  /** Reloads an identity's markers when they are older than markerTtlMs; a version bump only
   * when something really changed. */
  async function refreshIfOld(identity: string, entry: IdentityMarkers): Promise<void> {
    if (clock.now() - entry.loadedAt < markerTtlMs || entry.markers.size === 0) {
      if (entry.markers.size === 0) entry.loadedAt = clock.now();
      return;
    }
    const ids = [...entry.markers.keys()];
    const readAt = entry.version;
    const fresh = await store.read(identity, ids);
    // A mark made while the read was on its way is newer than what it brought back.
    if (entry.version !== readAt) return;
    let differs = false;
    for (const id of ids) {
      const before = entry.markers.get(id) ?? null;
      const after = fresh.get(id) ?? null;
      if (
        before === null ? after !== null : after === null || comparePositions(before, after) !== 0
      )
        differs = true;
      entry.markers.set(id, after);
    }
    entry.loadedAt = clock.now();
    if (differs) bump(entry);
  }

  async function load(source: ReadableSource, trace: TraceContext): Promise<void> {
    const entry = entryOf(source.identity);
    await refreshIfOld(source.identity, entry);
    if (entry.covered.has(source.unread)) return;
    const missing = [...source.unread.keys()].filter((id) => !entry.markers.has(id));
    if (missing.length > 0) {
      const readAt = entry.version;
      const found = await store.read(source.identity, missing);
      // Marks made meanwhile cleared what they changed: read again next time, not this answer.
      if (entry.version !== readAt) return;
      for (const id of missing) entry.markers.set(id, found.get(id) ?? null);
    }
    await firstSightAndOwnMessages(source, entry, trace);
    entry.covered.add(source.unread);
  }

  /** First sight of a portal chat stores its newest message as the marker: a badge counts what
   * arrives after the user started using the gateway. A message the caller sent counts as
   * reading up to it, so the marker moves there (in the background: the count is the same). */
  async function firstSightAndOwnMessages(
    source: ReadableSource,
    entry: IdentityMarkers,
    trace: TraceContext,
  ) {
    const firstSight: MarkerEntry[] = [];
    const ownMessages: MarkerEntry[] = [];
    const userId = source.identity.slice(source.identity.indexOf(":") + 1);
    for (const [itemId, basis] of source.unread) {
      if (basis.kind !== "portal") continue;
      const marker = entry.markers.get(itemId) ?? null;
      if (marker === null) {
        firstSight.push({ itemId, position: basis.newest ?? FIRST_POSITION });
        continue;
      }
      const own = ownNewest(basis, userId);
      if (own !== null && comparePositions(own, marker) > 0)
        ownMessages.push({ itemId, position: own });
    }
    if (firstSight.length > 0) {
      const stored = await written("first_sight", trace, firstSight.length, () =>
        store.setIfAbsent(source.identity, firstSight),
      );
      for (const { itemId } of firstSight) entry.markers.set(itemId, stored.get(itemId) ?? null);
    }
    if (ownMessages.length > 0)
      written("advance", trace, ownMessages.length, () =>
        store.advance(source.identity, ownMessages),
      ).catch((error: unknown) =>
        logger.warn({ event: "read_marker_write_failed", reason: String(error) }),
      );
  }

  /** Loads what the request's readable sources need; never throws. */
  async function snapshot(
    sources: readonly ReadableSource[],
    trace: TraceContext = UNTRACED,
  ): Promise<MarkerSnapshot> {
    if (sources.length === 0) return { markersOf: () => undefined, version: "", unavailable: null };
    let unavailable: string | null = null;
    if (clock.now() < downUntil) unavailable = downReason;
    else {
      try {
        await Promise.all(sources.map((source) => load(source, trace)));
      } catch (error) {
        downUntil = clock.now() + retryMs;
        downReason = "the read-state store is unreachable";
        unavailable = downReason;
        logger.warn({ event: "read_state_unavailable", store: store.kind, reason: String(error) });
      }
    }
    if (unavailable !== null)
      return { markersOf: () => undefined, version: "unavailable", unavailable };
    const identities = [...new Set(sources.map((source) => source.identity))].sort();
    return {
      markersOf: (identity) => cache.get(identity)?.markers,
      version: identities.map((identity) => `${identity}@${entryOf(identity).version}`).join(","),
      unavailable: null,
    };
  }

  /** This process's copy of an identity's markers after a write. */
  function applied(identity: string, result: AdvanceResult): AdvanceResult {
    const entry = entryOf(identity);
    for (const [itemId, position] of result.markers) entry.markers.set(itemId, position);
    if (result.changed.length > 0) bump(entry);
    return result;
  }

  /** Moves markers forward for one identity (POST /read): this process's lists and ETags see it
   * at once; other instances through the store's announcement. */
  async function markRead(
    identity: string,
    entries: readonly MarkerEntry[],
    trace: TraceContext = UNTRACED,
  ) {
    const result = await written("advance", trace, entries.length, () =>
      store.advance(identity, entries),
    );
    downUntil = 0;
    return applied(identity, result);
  }

  /** Whether one write may span identities all or nothing (see ReadMarkerStore.advanceAll). */
  const marksAcrossIdentities = store.advanceAll !== undefined;

  /** markRead for several identities at once, all or nothing: one transaction of the store.
   * Throws when the store cannot span identities and more than one is named (check
   * `marksAcrossIdentities` first). */
  async function markReadAll(
    batches: readonly IdentityEntries[],
    trace: TraceContext = UNTRACED,
  ): Promise<AdvanceResult[]> {
    if (batches.length === 1) {
      const [only] = batches as [IdentityEntries];
      return [await markRead(only.identity, only.entries, trace)];
    }
    const advanceAll = store.advanceAll?.bind(store);
    if (advanceAll === undefined)
      throw new Error(`the ${store.kind} store cannot write several identities at once`);
    const total = batches.reduce((sum, batch) => sum + batch.entries.length, 0);
    const results = await written("advance", trace, total, () => advanceAll(batches));
    downUntil = 0;
    return results.map((result, index) =>
      applied((batches[index] as IdentityEntries).identity, result),
    );
  }

  return {
    snapshot,
    markRead,
    markReadAll,
    marksAcrossIdentities,
    storeKind: store.kind,
    close: unsubscribe,
  };
}

export type ReadState = ReturnType<typeof createReadState>;

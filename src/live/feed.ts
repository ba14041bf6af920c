import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import {
  type ListBody,
  type ListState,
  listState,
  patchBetween,
  shownDiffers,
} from "./list-state.js";
import { sseEvent } from "./sse.js";

/** Timers, passed in so tests drive them. */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** One stream of a feed: it takes event text, and says false when it can take no more. */
export interface FeedSubscriber {
  send(text: string): boolean;
}

/** Why a feed loads its list again: "wake" is an idle feed's first load for a new stream —
 * its disk was not watched meanwhile, so what is read from the disk is read afresh; "write" is
 * a write through the gateway (DESIGN §13) that changed what the feed's identity is shown. */
export type RefreshReason = "start" | "wake" | "loop" | "disk" | "markers" | "write";

export interface FeedOptions {
  /** The list of the feed's (caller, query), through the cache and within every budget. */
  load(reason: RefreshReason): Promise<ListBody>;
  refreshMs: number;
  /** A stream gets at most one patch this often; changes in between are coalesced. */
  minIntervalMs: number;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Called when the last stream has gone: the feed has stopped its loop and watches, and
   * holds only its last versions, for a stream that resumes (see `subscribe`), until it is
   * forgotten. */
  onIdle(): void;
  /** Versions held for Last-Event-ID resumes: at most this many... */
  historySize?: number;
  /** ...and at most this many bytes of them (ListState.bytes), the current version always. */
  historyBytes?: number;
  /** Starts watching what the feed's list is read from on disk, calling back on a change;
   * resolves with the function that stops it. Watched again after each disk change, since new
   * folders may have appeared. `unseen`: the feed was idle, unwatched; what was read from the
   * watched folders may have changed unseen, and is to be read again. */
  watch?: (onChange: () => void, unseen: boolean) => Promise<() => void>;
}

interface Stream {
  subscriber: FeedSubscriber;
  /** The version this stream last got, or null before its first event. */
  sent: ListState | null;
  sentAt: number;
  timer: unknown;
  lastEventId: string | undefined;
}

/**
 * The live list of one (caller, query) (DESIGN §9), shared by every stream of it however many
 * tabs and devices: one refresh loop while it has streams, none once the last has gone. A load
 * that changes nothing shown makes no event; a change makes one patch per stream, at most one
 * per `minIntervalMs`, computed once for every stream that held the same version.
 */
export function createFeed(options: FeedOptions) {
  const { clock, timers } = options;
  const historySize = options.historySize ?? 32;
  const historyBytes = options.historyBytes ?? 512 * 1024;
  // Versions are unique to this feed: a Last-Event-ID from an earlier feed (or process) is not
  // mistaken for one of this feed's.
  const epoch = Math.floor(Math.random() * 36 ** 6).toString(36);
  let counter = 0;
  let current: ListState | null = null;
  const held = new Map<string, ListState>();
  const streams = new Set<Stream>();
  let loopTimer: unknown;
  let loading: Promise<void> | null = null;
  let again: RefreshReason | null = null;
  let stopped = false;
  /** Woken from idle by a new stream: it is greeted once a fresh list is in, not with the list
   * of before the feed slept, so a resumed stream gets one patch carrying what changed. */
  let waking = false;
  let heldBytes = 0;
  // Event text for the current version: the snapshot, and patches by the version they start at.
  let snapshotText: string | null = null;
  const patchTexts = new Map<string, string>();

  function eventFrom(from: ListState | null): string {
    const to = current as ListState;
    if (from === null) {
      snapshotText ??= sseEvent("snapshot", JSON.stringify(to.body), to.version);
      return snapshotText;
    }
    let text = patchTexts.get(from.version);
    if (text === undefined) {
      text = sseEvent("patch", JSON.stringify(patchBetween(from, to)), to.version);
      patchTexts.set(from.version, text);
    }
    return text;
  }

  function send(stream: Stream, from: ListState | null): void {
    const ok = stream.subscriber.send(eventFrom(from));
    stream.sent = current;
    stream.sentAt = clock.now();
    if (!ok) remove(stream);
  }

  /** A new stream's first event: one patch from a version it still holds, else a snapshot. */
  function greet(stream: Stream): void {
    const resumed = stream.lastEventId === undefined ? undefined : held.get(stream.lastEventId);
    send(stream, resumed ?? null);
  }

  function deliver(stream: Stream): void {
    if (stream.sent === null) {
      greet(stream);
      return;
    }
    if (stream.sent === current || stream.timer !== undefined) return;
    const waitMs = stream.sentAt + options.minIntervalMs - clock.now();
    if (waitMs <= 0) {
      send(stream, stream.sent);
      return;
    }
    stream.timer = timers.setTimeout(() => {
      stream.timer = undefined;
      if (streams.has(stream) && stream.sent !== current) send(stream, stream.sent);
    }, waitMs);
  }

  function apply(body: ListBody): void {
    waking = false;
    // A cheap check first: a load that built nothing new (the same items and counts objects, see
    // createListBodies) shows nothing new, and needs no item's JSON nor any diff.
    const same =
      current !== null &&
      body.items === current.body.items &&
      body.counts === current.body.counts &&
      body.complete === current.body.complete;
    const next = same ? null : listState(body, `${epoch}-${counter + 1}`);
    if (current !== null && (next === null || !shownDiffers(current, next))) {
      // Nothing shown changed: the same version, whose later events carry the fresher sources.
      current.body = body;
      snapshotText = null;
      // New streams waiting for the first list still need it.
      for (const stream of [...streams]) if (stream.sent === null) greet(stream);
      return;
    }
    if (next === null) return; // (current is null only when next is not)
    counter++;
    current = next;
    held.set(next.version, next);
    heldBytes += next.bytes;
    // Oldest first, never the current version.
    for (const [version, state] of held) {
      if (state === next || (held.size <= historySize && heldBytes <= historyBytes)) break;
      held.delete(version);
      heldBytes -= state.bytes;
    }
    snapshotText = null;
    patchTexts.clear();
    for (const stream of [...streams]) deliver(stream);
  }

  let unwatch: (() => void) | null = null;
  async function rewatch(unseen: boolean): Promise<void> {
    if (options.watch === undefined) return;
    const stop = await options.watch(() => refresh("disk"), unseen);
    if (stopped) {
      stop();
      return;
    }
    unwatch?.();
    unwatch = stop;
  }

  function schedule(): void {
    timers.clearTimeout(loopTimer);
    if (!stopped && streams.size > 0)
      loopTimer = timers.setTimeout(() => refresh("loop"), options.refreshMs);
  }

  /** Loads the list now (or right after the load in flight), then waits `refreshMs` again. */
  function refresh(reason: RefreshReason): void {
    if (stopped) return;
    if (loading !== null) {
      again = reason;
      return;
    }
    timers.clearTimeout(loopTimer);
    const watching =
      reason === "start" || reason === "wake" || reason === "disk"
        ? rewatch(reason === "wake").catch((error: unknown) =>
            options.logger.warn({ event: "live_watch_failed", reason: String(error) }),
          )
        : undefined;
    // A new feed reads its list only once the disk is watched: a file that changed between the
    // read and the start of watching would otherwise show only with the loop, refreshMs later.
    // (Watching again on a disk event needs no wait: the old watch holds until the new one.)
    loading = (reason !== "disk" && watching !== undefined ? watching : Promise.resolve())
      .then(() => options.load(reason))
      .then(apply)
      // A failed load, or a failure while applying it (building a patch, a stream's send):
      // logged, and the loop goes on.
      .catch((error: unknown) =>
        options.logger.warn({ event: "live_refresh_failed", reason: String(error) }),
      )
      .finally(() => {
        loading = null;
        const queued = again;
        again = null;
        if (queued !== null) refresh(queued);
        else schedule();
      });
  }

  function remove(stream: Stream): void {
    if (!streams.delete(stream)) return;
    timers.clearTimeout(stream.timer);
    if (streams.size === 0) {
      stopped = true;
      timers.clearTimeout(loopTimer);
      unwatch?.();
      unwatch = null;
      options.onIdle();
    }
  }

  return {
    /** Adds a stream; it gets its first event as soon as the feed has a list — an idle feed
     * woken by it loads one first. A Last-Event-ID of a version the feed holds gets one patch
     * from it, any other a snapshot. */
    subscribe(subscriber: FeedSubscriber, lastEventId?: string): () => void {
      const stream: Stream = { subscriber, sent: null, sentAt: 0, timer: undefined, lastEventId };
      streams.add(stream);
      if (stopped && streams.size === 1) {
        stopped = false;
        waking = current !== null;
      }
      if (current !== null && !waking) greet(stream);
      if (streams.size === 1 && loading === null) refresh(waking ? "wake" : "start");
      return () => remove(stream);
    },
    refresh,
    size: () => streams.size,
    /** Bytes of the versions held (what an idle feed costs). */
    heldBytes: () => heldBytes,
    /** Stops the loop and forgets every stream (shutdown). */
    stop(): void {
      stopped = true;
      timers.clearTimeout(loopTimer);
      unwatch?.();
      for (const stream of streams) timers.clearTimeout(stream.timer);
      streams.clear();
    },
  };
}

export type Feed = ReturnType<typeof createFeed>;

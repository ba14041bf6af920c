import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { createFeed, type Feed, type FeedOptions, type Timers } from "./feed.js";
import { createSseChannel, type SseSink } from "./sse.js";

export interface LiveStreamsOptions {
  /** Streams one caller may hold at once (→ 429). */
  maxStreamsPerCaller: number;
  /** Streams one client address may hold at once, whatever cookies it sends (→ 429); 64 when
   * absent. */
  maxStreamsPerAddress?: number;
  /** Streams the process holds at most (→ 503). */
  maxStreams: number;
  /** A client with more than this queued and unread is dropped. */
  maxQueuedBytes?: number;
  /** Comment lines this often keep proxies from closing an idle stream. */
  pingMs?: number;
  /** How long a feed whose last stream closed keeps its last versions, so that a client that
   * reconnects (flaky Wi-Fi, a laptop waking) resumes with one patch; 0: forgotten at once. */
  resumeMs?: number;
  /** Bytes the versions of all such idle feeds may hold together; the longest idle go first. */
  idleFeedBytes?: number;
  clock: Clock;
  timers: Timers;
  logger: Logger;
}

/** What opening a stream needs: which feed, whose it is, and how to build the feed. */
export interface StreamRequest {
  /** The (caller, query) the feed serves. */
  feedKey: string;
  /** Who holds the stream, for the per-caller limit. */
  callerKey: string;
  /** The client's address, for the per-address limit: a client that invents a new cookie for
   * each stream is still one address. */
  addressKey: string;
  /** Whose read markers the feed's list uses (its loads fill it in): a change of theirs
   * refreshes the feed. */
  identities: ReadonlySet<string>;
  /** The client's Last-Event-ID, to resume from a version the feed still holds. */
  lastEventId: string | undefined;
  /** Cuts this client's connection (a slow reader is dropped), where the runtime can. */
  cut?: () => void;
  /** Called once when the stream ends, with why: the server closed it (shutdown), the client
   * went away, or the client read too slowly and was dropped. */
  onClose?: (reason: "closed" | "cancelled" | "slow") => void;
  feed: () => Omit<FeedOptions, "onIdle" | "clock" | "timers" | "logger">;
  /** Where the runtime can write to the connection itself: opens it (the response's status
   * and headers go out) once the stream is admitted. */
  sink?: () => SseSink;
}

export type OpenResult =
  | { ok: true; readable: ReadableStream<Uint8Array> | null }
  | { ok: false; status: 429 | 503; retryAfterS: number; reason: string };

interface FeedEntry {
  feed: Feed;
  identities: ReadonlySet<string>;
  /** Set while the feed is idle (no stream): forgets it when `resumeMs` is over. */
  expiry?: unknown;
}

const RETRY = "retry: 3000\n\n";

/** One slot of `key` given back. */
function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}

/**
 * Every open stream of the process (DESIGN §9): one feed per (caller, query), bounds per caller,
 * per client address and in all, a ping for every stream, a marker change routed to the feeds
 * of its identity, and `event: shutdown` to all of them when the process stops.
 */
export function createLiveStreams(options: LiveStreamsOptions) {
  const { timers, logger } = options;
  const pingMs = options.pingMs ?? 15_000;
  const maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
  const maxPerAddress = options.maxStreamsPerAddress ?? 64;
  const feeds = new Map<string, FeedEntry>();
  const resumeMs = options.resumeMs ?? 0;
  const idleFeedBytes = options.idleFeedBytes ?? 32 * 1024 * 1024;
  /** Idle feeds, longest idle first, and the bytes their versions hold. */
  const idle = new Map<string, FeedEntry>();
  let idleBytes = 0;

  function forget(key: string): void {
    const entry = idle.get(key);
    if (entry === undefined) return;
    idle.delete(key);
    idleBytes -= entry.feed.heldBytes();
    timers.clearTimeout(entry.expiry);
    feeds.delete(key);
  }

  /** The feed's last stream has gone: it keeps its versions for `resumeMs`, within the bytes
   * all idle feeds may hold. */
  function idled(key: string): void {
    const entry = feeds.get(key);
    if (entry === undefined) return;
    if (resumeMs <= 0) {
      feeds.delete(key);
      return;
    }
    entry.expiry = timers.setTimeout(() => forget(key), resumeMs);
    idle.set(key, entry);
    idleBytes += entry.feed.heldBytes();
    for (const oldest of idle.keys()) {
      if (idleBytes <= idleFeedBytes) break;
      forget(oldest);
    }
  }
  const perCaller = new Map<string, number>();
  const perAddress = new Map<string, number>();
  const channels = new Set<ReturnType<typeof createSseChannel>>();
  let pingTimer: unknown;
  let closing = false;

  function ping(): void {
    pingTimer = undefined;
    for (const channel of [...channels]) channel.send(": ping\n\n");
    if (channels.size > 0) pingTimer = timers.setTimeout(ping, pingMs);
  }

  function feedFor(request: StreamRequest): Feed {
    const existing = feeds.get(request.feedKey);
    if (existing !== undefined) {
      // An idle feed a client comes back to: it wakes with its versions.
      if (idle.delete(request.feedKey)) {
        idleBytes -= existing.feed.heldBytes();
        timers.clearTimeout(existing.expiry);
        existing.expiry = undefined;
      }
      return existing.feed;
    }
    const { feedKey } = request;
    const feed = createFeed({
      ...request.feed(),
      clock: options.clock,
      timers,
      logger,
      onIdle: () => idled(feedKey),
    });
    feeds.set(request.feedKey, { feed, identities: request.identities });
    return feed;
  }

  function open(request: StreamRequest): OpenResult {
    if (closing) return { ok: false, status: 503, retryAfterS: 5, reason: "shutting down" };
    if (channels.size >= options.maxStreams)
      return {
        ok: false,
        status: 503,
        retryAfterS: 30,
        reason: "the gateway holds its most streams",
      };
    const held = perCaller.get(request.callerKey) ?? 0;
    if (held >= options.maxStreamsPerCaller)
      return {
        ok: false,
        status: 429,
        retryAfterS: 10,
        reason: `at most ${options.maxStreamsPerCaller} streams per caller`,
      };
    const fromAddress = perAddress.get(request.addressKey) ?? 0;
    if (fromAddress >= maxPerAddress)
      return {
        ok: false,
        status: 429,
        retryAfterS: 10,
        reason: `at most ${maxPerAddress} streams per client address`,
      };
    perCaller.set(request.callerKey, held + 1);
    perAddress.set(request.addressKey, fromAddress + 1);
    let unsubscribe = () => {};
    // What the stream keeps for its lifetime: these three, not the request (whose feed builder
    // only the feed's first stream needs).
    const { callerKey, addressKey, onClose } = request;
    const sink = request.sink?.();
    const channel = createSseChannel({
      maxQueuedBytes,
      ...(request.cut === undefined ? {} : { cut: request.cut }),
      ...(sink === undefined ? {} : { sink }),
      onClose: (why) => {
        channels.delete(channel);
        unsubscribe();
        release(perCaller, callerKey);
        release(perAddress, addressKey);
        if (why === "slow")
          logger.warn({ event: "live_stream_dropped", reason: "client too slow" });
        onClose?.(why);
      },
    });
    channels.add(channel);
    channel.send(RETRY);
    unsubscribe = feedFor(request).subscribe(channel, request.lastEventId);
    if (pingTimer === undefined) pingTimer = timers.setTimeout(ping, pingMs);
    return { ok: true, readable: channel.readable };
  }

  return {
    open,
    /** A read marker of `identity` changed (here, another instance, or its Durable Object). */
    markersChanged(identity: string): void {
      for (const entry of feeds.values())
        if (entry.identities.has(identity)) entry.feed.refresh("markers");
    },
    /** A write through the gateway (here, or announced by another gateway) changed what the
     * lists of `identity` show (DESIGN §13). */
    writeApplied(identity: string): void {
      for (const entry of feeds.values())
        if (entry.identities.has(identity)) entry.feed.refresh("write");
    },
    /** Something on disk changed under the feeds with these keys. */
    refresh(feedKeys: Iterable<string>, reason: "disk" | "markers"): void {
      for (const key of feedKeys) feeds.get(key)?.feed.refresh(reason);
    },
    size: () => channels.size,
    /** Feeds with streams: each is a refresh loop. */
    feeds: () => feeds.size - idle.size,
    /** Idle feeds kept for resumes, and the bytes their versions hold. */
    idle: () => ({ feeds: idle.size, bytes: idleBytes }),
    /** Ends every stream with `event: shutdown`; new streams are refused from now on. */
    shutdown(): void {
      closing = true;
      timers.clearTimeout(pingTimer);
      for (const channel of [...channels]) {
        channel.send("event: shutdown\ndata: {}\n\n");
        channel.close();
      }
      for (const entry of feeds.values()) {
        entry.feed.stop();
        timers.clearTimeout(entry.expiry);
      }
      feeds.clear();
      idle.clear();
      idleBytes = 0;
    },
  };
}

export type LiveStreams = ReturnType<typeof createLiveStreams>;

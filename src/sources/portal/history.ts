import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { PortalUnreadBasis } from "../../core/unread.js";
import { endSpan, startSpan, type TraceContext, UNTRACED } from "../../observability/tracing.js";
import { mapWithConcurrency } from "../../upstream/concurrency.js";
import { createDeadline } from "../../upstream/deadline.js";
import type { UpstreamClient } from "../../upstream/http-client.js";
import { UpstreamError } from "../../upstream/upstream-error.js";
import { listIn, parseEach } from "../tolerant.js";
import type { PortalBudgets } from "./budgets.js";
import { summarizeHistory } from "./history-summary.js";
import { PortalMessageUpstream } from "./portal-schema.js";
import { type HistorySummary, type OwnMessage, withWrites } from "./written-floor.js";

export interface HistoryOptions {
  source: string;
  baseUrl: string;
  client: UpstreamClient;
  clock: Clock;
  logger: Logger;
  budgets: PortalBudgets;
  concurrency: number;
  ttlMs: number;
  maxPerRequest: number;
  /** Chats remembered at most, and messages held across all of them. */
  maxChats?: number;
  maxMessages?: number;
}

export interface HistoryRequest {
  cookie: string;
  /** Whom the budgets charge: the caller's identity when known, else its credential hash. */
  party: string;
  signal: AbortSignal;
  /** Time left for history calls; chats not dated by then keep what is known (or null). */
  remainingMs(): number;
  /** The portal load's span: a batch of history calls gets a span under it. */
  trace?: TraceContext;
}

interface Known {
  lastActiveMs: number | null;
  basis: PortalUnreadBasis;
  fetchedAt: number;
}

export interface HistoryLookup {
  lastActive: Map<string, number | null>;
  /** By chat id, for the chats whose history is held: what their unread counts come from. */
  bases: Map<string, PortalUnreadBasis>;
  /** Chats never dated yet: left for later requests by the budgets, or failed. */
  undated: number;
}

// History calls stop this long before the source's own timeout, so the list itself still
// arrives in time with whatever was dated.
const HISTORY_MARGIN_MS = 50;

/**
 * Dates portal chats from their history, within the portal's rate limits, and holds what unread
 * counts need of it. A chat's history is remembered per chat id (not per user): it is only ever
 * looked up for chats the portal has just listed for that user, so it tells nobody anything new,
 * and sharing it is what keeps the whole gateway — one client address to the portal — within the
 * portal's per-client budget.
 */
export function createHistoryTracker(options: HistoryOptions) {
  const { clock, budgets } = options;
  const known = new LRUCache<string, Known>({
    max: options.maxChats ?? 50_000,
    maxSize: options.maxMessages ?? 500_000,
    sizeCalculation: (entry) => 1 + entry.basis.messages.length,
  });
  // What writes through the gateway told of a chat (DESIGN §13): its creation, the caller's
  // own messages. A history fetched later — perhaps asked before the write, perhaps from a
  // portal whose history lags — is merged with it, so it cannot date the chat back. Dropped
  // once a fetched history holds all of it.
  const written = new LRUCache<string, { atMs: number; own: OwnMessage[] }>({
    max: options.maxChats ?? 50_000,
  });

  /** A fetched summary with what writes told of the chat; forgets what the fetch confirmed. */
  function withWritten(id: string, summary: HistorySummary): HistorySummary {
    const floor = written.get(id);
    if (floor === undefined) return summary;
    const merged = withWrites(summary, floor);
    if (merged === summary) written.delete(id);
    return merged;
  }

  /** The chats due a history call that the budgets allow now: never-dated ones first, then
   * the longest undated, so that when the budgets cannot keep every chat fresh, staleness is
   * spread evenly instead of the same chats being refreshed over and over. */
  function admit(chatIds: readonly string[], party: string): string[] {
    const now = clock.now();
    const due = chatIds.filter((id) => {
      const entry = known.get(id);
      return entry === undefined || now - entry.fetchedAt >= options.ttlMs;
    });
    const fetchedAt = (id: string) => known.peek(id)?.fetchedAt ?? -1;
    due.sort((a, b) => fetchedAt(a) - fetchedAt(b));
    const admitted: string[] = [];
    for (const id of due) {
      if (admitted.length >= options.maxPerRequest) return admitted;
      if (!budgets.take(party, due.length - admitted.length)) return admitted;
      admitted.push(id);
    }
    budgets.served(party);
    return admitted;
  }

  async function fetchHistory(
    id: string,
    request: HistoryRequest,
    signal: AbortSignal,
    trace: TraceContext | undefined,
  ) {
    const url = `${options.baseUrl}/v1/portal/chats/${encodeURIComponent(id)}/history`;
    try {
      const body = await options.client.getJson(url, {
        headers: { cookie: `psession=${request.cookie}` },
        signal,
        trace,
      });
      const { valid } = parseEach(listIn(body, "messages"), PortalMessageUpstream);
      known.set(id, { ...withWritten(id, summarizeHistory(valid)), fetchedAt: clock.now() });
    } catch (error) {
      if (error instanceof UpstreamError && error.retryAfterMs !== undefined)
        budgets.holdFor(error.retryAfterMs);
      // Held back by the portal's Retry-After: not sent, nothing failed.
      const held = error instanceof UpstreamError && error.kind === "held";
      if (!signal.aborted && !held)
        options.logger.warn({
          event: "portal_history_failed",
          source: options.source,
          reason: error instanceof Error ? error.message : "unknown",
        });
    }
  }

  /** What is known of each chat's history: remembered, or fetched now within the budgets. */
  async function lookup(
    chatIds: readonly string[],
    request: HistoryRequest,
  ): Promise<HistoryLookup> {
    const admitted = admit(chatIds, request.party);
    if (admitted.length > 0) {
      const batch = startSpan("portal history", request.trace ?? UNTRACED, {
        "chat_list.source.name": options.source,
        "chat_list.history.chats": chatIds.length,
        "chat_list.history.admitted": admitted.length,
      });
      const deadline = createDeadline(request.remainingMs() - HISTORY_MARGIN_MS, request.signal);
      try {
        // A 429 met mid-batch stops the calls not yet started, not only later requests'.
        await mapWithConcurrency(admitted, options.concurrency, (id) =>
          deadline.signal.aborted || budgets.held()
            ? Promise.resolve()
            : fetchHistory(id, request, deadline.signal, batch?.context ?? request.trace),
        );
      } finally {
        deadline.dispose();
        endSpan(batch, deadline.signal.aborted ? "history deadline reached" : null);
      }
    }
    const lastActive = new Map<string, number | null>();
    const bases = new Map<string, PortalUnreadBasis>();
    let undated = 0;
    for (const id of chatIds) {
      const entry = known.get(id);
      lastActive.set(id, entry?.lastActiveMs ?? null);
      if (entry === undefined) undated++;
      else bases.set(id, entry.basis);
    }
    return { lastActive, bases, undated };
  }

  /**
   * A write through the gateway touched chat `id` at `atMs` (its creation, or a message of the
   * caller's, `own`): the chat is dated at least then from now on, and an own message counts as
   * read up to it — without a history call. A chat never dated yet (`created`: a new chat,
   * whose history is empty) is dated by the write alone and not asked for before `ttlMs`.
   */
  function noteWrite(id: string, write: { atMs: number; own?: OwnMessage; created?: boolean }) {
    const floor = written.get(id) ?? { atMs: write.atMs, own: [] };
    floor.atMs = Math.max(floor.atMs, write.atMs);
    if (write.own !== undefined) floor.own = [...floor.own, write.own].slice(-20);
    written.set(id, floor);
    const entry = known.get(id);
    const empty: HistorySummary = {
      lastActiveMs: null,
      basis: { kind: "portal", newest: null, messages: [] },
    };
    // Replaced, not changed in place: cached loads hold the old basis, and their identity is
    // how the read state knows what it has seen.
    known.set(id, {
      ...withWrites(entry ?? empty, floor),
      // A chat whose history was never fetched stays due for one (unless it is new).
      fetchedAt: entry?.fetchedAt ?? (write.created ? clock.now() : 0),
    });
  }

  return { lookup, noteWrite };
}

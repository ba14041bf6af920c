import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import { newest } from "../../core/timestamps.js";
import { mapWithConcurrency } from "../../upstream/concurrency.js";
import { createDeadline } from "../../upstream/deadline.js";
import type { UpstreamClient } from "../../upstream/http-client.js";
import { TokenBucket } from "../../upstream/token-bucket.js";
import { UpstreamError } from "../../upstream/upstream-error.js";
import { listIn, parseEach } from "../tolerant.js";
import { messageTimeMs, PortalMessageUpstream } from "./portal-schema.js";

export interface HistoryOptions {
  source: string;
  baseUrl: string;
  client: UpstreamClient;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  ttlMs: number;
  perUserPerMinute: number;
  perMinute: number;
  maxPerRequest: number;
  /** Chats whose last activity is remembered at most. */
  maxChats?: number;
}

export interface HistoryRequest {
  cookie: string;
  callerKey: string;
  signal: AbortSignal;
  /** Time left for history calls; chats not dated by then keep what is known (or null). */
  remainingMs(): number;
}

interface Known {
  lastActiveMs: number | null;
  fetchedAt: number;
}

// History calls stop this long before the source's own timeout, so the list itself still
// arrives in time with whatever was dated.
const HISTORY_MARGIN_MS = 50;

/**
 * Dates portal chats from their history, within the portal's rate limits. A chat's last activity
 * is remembered per chat id (not per user): it is only ever looked up for chats the portal has
 * just listed for that user, so it tells nobody anything new, and sharing it is what keeps the
 * whole gateway — one client address to the portal — within the portal's per-client budget.
 */
export function createHistoryTracker(options: HistoryOptions) {
  const { clock } = options;
  const known = new LRUCache<string, Known>({ max: options.maxChats ?? 50_000 });
  const userBudgets = new LRUCache<string, TokenBucket>({ max: 10_000 });
  const instanceBudget = new TokenBucket(options.perMinute, clock);
  let blockedUntil = 0;

  function userBudget(callerKey: string): TokenBucket {
    let bucket = userBudgets.get(callerKey);
    if (bucket === undefined) {
      bucket = new TokenBucket(options.perUserPerMinute, clock);
      userBudgets.set(callerKey, bucket);
    }
    return bucket;
  }

  /** The chats due a history call, never-dated ones first, that the budgets allow now. */
  function admit(chatIds: readonly string[], callerKey: string): string[] {
    const now = clock.now();
    const due = chatIds.filter((id) => {
      const entry = known.get(id);
      return entry === undefined || now - entry.fetchedAt >= options.ttlMs;
    });
    due.sort((a, b) => Number(known.has(a)) - Number(known.has(b)));
    const user = userBudget(callerKey);
    const admitted: string[] = [];
    for (const id of due) {
      if (admitted.length >= options.maxPerRequest) break;
      if (now < blockedUntil || user.waitMs() > 0 || instanceBudget.waitMs() > 0) break;
      user.take();
      instanceBudget.take();
      admitted.push(id);
    }
    return admitted;
  }

  async function fetchLastActive(id: string, request: HistoryRequest, signal: AbortSignal) {
    const url = `${options.baseUrl}/v1/portal/chats/${encodeURIComponent(id)}/history`;
    try {
      const body = await options.client.getJson(url, {
        headers: { cookie: `psession=${request.cookie}` },
        signal,
      });
      const { valid } = parseEach(listIn(body, "messages"), PortalMessageUpstream);
      const lastActiveMs = newest(valid.map(messageTimeMs));
      known.set(id, { lastActiveMs, fetchedAt: clock.now() });
    } catch (error) {
      if (error instanceof UpstreamError && error.retryAfterMs !== undefined)
        blockedUntil = Math.max(blockedUntil, clock.now() + error.retryAfterMs);
      if (!signal.aborted)
        options.logger.warn({
          event: "portal_history_failed",
          source: options.source,
          reason: error instanceof Error ? error.message : "unknown",
        });
    }
  }

  /**
   * Last activity (epoch ms or null) for each chat id: remembered, or fetched now; and how many
   * chats have never been dated yet (left for later requests by the budgets, or failed).
   */
  async function lastActive(
    chatIds: readonly string[],
    request: HistoryRequest,
  ): Promise<{ byId: Map<string, number | null>; undated: number }> {
    const admitted = admit(chatIds, request.callerKey);
    if (admitted.length > 0) {
      const deadline = createDeadline(request.remainingMs() - HISTORY_MARGIN_MS, request.signal);
      try {
        // A 429 met mid-batch stops the calls not yet started, not only later requests'.
        await mapWithConcurrency(admitted, options.concurrency, (id) =>
          deadline.signal.aborted || clock.now() < blockedUntil
            ? Promise.resolve()
            : fetchLastActive(id, request, deadline.signal),
        );
      } finally {
        deadline.dispose();
      }
    }
    const byId = new Map<string, number | null>();
    let undated = 0;
    for (const id of chatIds) {
      const entry = known.get(id);
      if (entry === undefined) undated++;
      byId.set(id, entry?.lastActiveMs ?? null);
    }
    return { byId, undated };
  }

  return { lastActive };
}

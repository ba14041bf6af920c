import { z } from "zod";
import { newest } from "../core/timestamps.js";
import { normalizeWorkspacePath } from "../core/workspace-path.js";
import type { UpstreamCall, UpstreamClient } from "../upstream/http-client.js";
import { type LookupCache, uncountedNote } from "./lookups.js";
import { listIn, parseEach, tolerantObject, UpstreamTimestamp, withQuery } from "./tolerant.js";

/** A session as registries and stores list them; only what counts and dates it. */
export const SessionUpstream = tolerantObject({
  workspace_path: z.string().nullish(),
  created_at: UpstreamTimestamp,
  updated_at: UpstreamTimestamp,
  last_active: UpstreamTimestamp,
  last_message_at: UpstreamTimestamp,
});
export type UpstreamSession = z.infer<typeof SessionUpstream>;

export interface SessionSummary {
  sessionCount: number;
  lastActiveMs: number | null;
}

/** True when a path the upstream reported names the requested workspace. */
export function sameWorkspace(reported: string, requested: string): boolean {
  const normalized = normalizeWorkspacePath(reported);
  return normalized.ok && normalized.path === requested;
}

/** The URL that lists an item's sessions for one workspace (all when none is given): also the
 * key its answer is remembered under, since nothing else varies the call. */
export function sessionsUrl(itemUrl: string, workspacePath: string | null): string {
  return withQuery(`${itemUrl}/sessions`, { workspace_path: workspacePath });
}

/**
 * Counts and dates the sessions listed at `url` (see sessionsUrl) for one workspace (all when
 * none is given). `timeOf` picks a session's activity time, which differs between executors and
 * agents. A session that names another workspace is not counted.
 */
export async function summarizeSessions(
  client: UpstreamClient,
  url: string,
  workspacePath: string | null,
  call: UpstreamCall,
  timeOf: (session: UpstreamSession) => number | null,
): Promise<SessionSummary> {
  const body = await client.getJson(url, call);
  const { valid } = parseEach(listIn(body, "sessions"), SessionUpstream);
  const counted = valid.filter(
    (session) =>
      workspacePath === null ||
      session.workspace_path == null ||
      sameWorkspace(session.workspace_path, workspacePath),
  );
  return { sessionCount: counted.length, lastActiveMs: newest(counted.map(timeOf)) };
}

export interface ItemSessions<T> {
  client: UpstreamClient;
  lookups: LookupCache<SessionSummary>;
  /** Whether an item was listed without its counts (so its sessions are looked up). */
  needsLookup(item: T): boolean;
  /** The item's sessions URL (see sessionsUrl): also its look-up's key. */
  urlOf(item: T): string;
  workspacePath: string | null;
  timeOf(session: UpstreamSession): number | null;
  /** What the items are called in the source's note. */
  noun: { one: string; many: string };
}

/**
 * The session summaries of items a registry or store listed without their counts, within the
 * look-up cache's per-request cap (undefined for an item not counted, and for one that needed
 * no look-up), and the note that says how many were left uncounted.
 */
export async function itemSessions<T>(
  items: readonly T[],
  options: ItemSessions<T>,
  context: { signal: AbortSignal; remainingMs(): number; trace?: UpstreamCall["trace"] },
): Promise<{ summaries: (SessionSummary | undefined)[]; note: string | null }> {
  const { signal, remainingMs, trace } = context;
  const results = await options.lookups.run(
    items.filter(options.needsLookup).map((item) => {
      const key = options.urlOf(item);
      return {
        key,
        run: (lookupSignal: AbortSignal) =>
          summarizeSessions(
            options.client,
            key,
            options.workspacePath,
            { signal: lookupSignal, trace },
            options.timeOf,
          ),
      };
    }),
    { signal, remainingMs },
  );
  signal.throwIfAborted();
  const uncounted = { left: 0, failed: 0 };
  const summaries = items.map((item) => {
    if (!options.needsLookup(item)) return undefined;
    const key = options.urlOf(item);
    const summary = results.get(key);
    if (summary === undefined) uncounted[results.failed(key) ? "failed" : "left"]++;
    return summary;
  });
  return { summaries, note: uncountedNote(uncounted, options.noun, "session look-up cap") };
}

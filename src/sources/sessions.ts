import { z } from "zod";
import { newest } from "../core/timestamps.js";
import { normalizeWorkspacePath } from "../core/workspace-path.js";
import type { UpstreamCall, UpstreamClient } from "../upstream/http-client.js";
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

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

/**
 * Counts and dates the sessions listed at `url` for one workspace (all when none is given).
 * `timeOf` picks a session's activity time, which differs between executors and agents.
 * A session that names another workspace is not counted.
 */
export async function summarizeSessions(
  client: UpstreamClient,
  url: string,
  workspacePath: string | null,
  call: UpstreamCall,
  timeOf: (session: UpstreamSession) => number | null,
): Promise<SessionSummary> {
  const body = await client.getJson(withQuery(url, { workspace_path: workspacePath }), call);
  const { valid } = parseEach(listIn(body, "sessions"), SessionUpstream);
  const counted = valid.filter(
    (session) =>
      workspacePath === null ||
      session.workspace_path == null ||
      sameWorkspace(session.workspace_path, workspacePath),
  );
  return { sessionCount: counted.length, lastActiveMs: newest(counted.map(timeOf)) };
}

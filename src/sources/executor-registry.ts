import { z } from "zod";
import type { ExecutorRegistryConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { ExecutorItem } from "../core/items.js";
import { toIso } from "../core/timestamps.js";
import type { UpstreamClient } from "../upstream/http-client.js";
import { createLookupCache } from "./lookups.js";
import { itemSessions, type SessionSummary, sessionsUrl } from "./sessions.js";
import { queryScopedSource, type Source, type SourceLoad } from "./source.js";
import {
  listIn,
  OptionalCount,
  OptionalText,
  parseEach,
  tolerantObject,
  UpstreamId,
  UpstreamTimestamp,
  withQuery,
} from "./tolerant.js";

const ExecutorUpstream = tolerantObject({
  type: UpstreamId.optional(),
  id: UpstreamId.optional(),
  name: OptionalText,
  description: OptionalText,
  is_available: z.boolean().optional(),
  availability: z.object({ type: z.string() }).nullish(),
  supports_mcp: z.boolean().optional(),
  session_count: OptionalCount,
  last_active: z.unknown().optional(),
}).refine((executor) => (executor.type ?? executor.id) !== undefined, "type or id is required");
type ExecutorUpstream = z.infer<typeof ExecutorUpstream>;

/** Executor ids are upper-case types: "claude-code" and "CLAUDE_CODE" are one executor. */
export function executorId(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_");
}

function isAvailable(executor: ExecutorUpstream): boolean {
  if (executor.is_available !== undefined) return executor.is_available;
  if (executor.availability != null)
    return executor.availability.type.toUpperCase() !== "NOT_FOUND";
  return false;
}

export interface ExecutorRegistryDeps {
  client: UpstreamClient;
  clock: Clock;
}

/** Coding-agent executors (Claude Code, Codex, Gemini, ...) from an HTTP executor registry. */
export function createExecutorRegistrySource(
  config: ExecutorRegistryConfig,
  deps: ExecutorRegistryDeps,
): Source {
  const lookups = createLookupCache<SessionSummary>({
    perRequest: config.sessionLookupsPerRequest,
    concurrency: config.sessionConcurrency,
    ttlMs: config.sessionTtlMs,
    clock: deps.clock,
  });
  const needsLookup = (executor: ExecutorUpstream) =>
    executor.session_count === undefined || executor.last_active === undefined;
  const lookupKey = (executor: ExecutorUpstream, workspacePath: string | null) =>
    sessionsUrl(
      `${config.baseUrl}/executors/${encodeURIComponent((executor.type ?? executor.id) as string)}`,
      workspacePath,
    );

  function toItem(executor: ExecutorUpstream, summary: SessionSummary | undefined): ExecutorItem {
    const id = executorId((executor.type ?? executor.id) as string);
    const lastActiveMs =
      UpstreamTimestamp.parse(executor.last_active) ?? summary?.lastActiveMs ?? null;
    return {
      id,
      type: "executor",
      item_type: "executor",
      icon_type: id,
      name: executor.name ?? id,
      description: executor.description,
      last_active: toIso(lastActiveMs),
      source: "global",
      source_name: config.name,
      is_available: isAvailable(executor),
      supports_mcp: executor.supports_mcp ?? false,
      session_count: executor.session_count ?? summary?.sessionCount ?? null,
    };
  }

  return queryScopedSource({
    name: config.name,
    kind: "executor_registry",
    itemType: "executor",
    timeoutMs: config.timeoutMs,
    async load(query, { signal, remainingMs, trace }): Promise<SourceLoad> {
      const call = { signal, trace };
      const { workspacePath, includeGlobal } = query;
      const url = withQuery(`${config.baseUrl}/executors`, {
        workspace_path: workspacePath,
        include_global: String(includeGlobal),
      });
      const body = await deps.client.getJson(url, call);
      const { valid, dropped } = parseEach(listIn(body, "executors"), ExecutorUpstream);
      const { summaries, note } = await itemSessions(
        valid,
        {
          client: deps.client,
          lookups,
          needsLookup,
          urlOf: (executor) => lookupKey(executor, workspacePath),
          workspacePath,
          timeOf: (session) => session.updated_at ?? session.last_active ?? session.created_at,
          noun: { one: "executor", many: "executors" },
        },
        { signal, remainingMs, trace },
      );
      const items = valid.map((executor, index) => toItem(executor, summaries[index]));
      return { items, dropped, note };
    },
  });
}

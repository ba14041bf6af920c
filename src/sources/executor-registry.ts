import { z } from "zod";
import type { ExecutorRegistryConfig } from "../config/schema.js";
import type { ExecutorItem } from "../core/items.js";
import { toIso } from "../core/timestamps.js";
import { mapWithConcurrency, successes } from "../upstream/concurrency.js";
import type { UpstreamCall, UpstreamClient } from "../upstream/http-client.js";
import { summarizeSessions } from "./sessions.js";
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
}

/** Coding-agent executors (Claude Code, Codex, Gemini, ...) from an HTTP executor registry. */
export function createExecutorRegistrySource(
  config: ExecutorRegistryConfig,
  deps: ExecutorRegistryDeps,
): Source {
  async function toItem(
    executor: ExecutorUpstream,
    workspacePath: string | null,
    call: UpstreamCall,
  ) {
    const upstreamType = (executor.type ?? executor.id) as string;
    let sessionCount = executor.session_count ?? null;
    let lastActiveMs = UpstreamTimestamp.parse(executor.last_active);
    if (executor.session_count === undefined || executor.last_active === undefined) {
      const url = `${config.baseUrl}/executors/${encodeURIComponent(upstreamType)}/sessions`;
      const summary = await summarizeSessions(
        deps.client,
        url,
        workspacePath,
        call,
        (s) => s.updated_at ?? s.last_active ?? s.created_at,
      ).catch(() => null);
      if (summary !== null) {
        sessionCount = executor.session_count ?? summary.sessionCount;
        lastActiveMs = lastActiveMs ?? summary.lastActiveMs;
      }
    }
    const id = executorId(upstreamType);
    const item: ExecutorItem = {
      id,
      type: "executor",
      item_type: "executor",
      icon_type: id,
      name: executor.name ?? id,
      description: executor.description,
      last_active: toIso(lastActiveMs),
      source: config.name,
      is_available: isAvailable(executor),
      supports_mcp: executor.supports_mcp ?? false,
      session_count: sessionCount,
    };
    return item;
  }

  return queryScopedSource({
    name: config.name,
    kind: "executor_registry",
    itemType: "executor",
    timeoutMs: config.timeoutMs,
    async load(query, { signal, trace }): Promise<SourceLoad> {
      const call = { signal, trace };
      const { workspacePath, includeGlobal } = query;
      const url = withQuery(`${config.baseUrl}/executors`, {
        workspace_path: workspacePath,
        include_global: String(includeGlobal),
      });
      const body = await deps.client.getJson(url, call);
      const { valid, dropped } = parseEach(listIn(body, "executors"), ExecutorUpstream);
      const items = await mapWithConcurrency(valid, config.sessionConcurrency, (executor) =>
        toItem(executor, workspacePath, call),
      );
      signal.throwIfAborted();
      return { items: successes(items), dropped };
    },
  });
}

import { z } from "zod";
import type { AgentStoreConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import { type AgentItem, scopeOf } from "../core/items.js";
import { toIso } from "../core/timestamps.js";
import type { UpstreamClient } from "../upstream/http-client.js";
import { createLookupCache } from "./lookups.js";
import { itemSessions, type SessionSummary, sameWorkspace, sessionsUrl } from "./sessions.js";
import { queryScopedSource, type Source, type SourceLoad, type SourceQuery } from "./source.js";
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

const LEGACY_ID_PREFIX = "viben:";

const AgentUpstream = tolerantObject({
  id: UpstreamId,
  name: OptionalText,
  description: OptionalText,
  model: OptionalText,
  provider: OptionalText,
  provider_id: OptionalText,
  is_global: z.boolean().optional(),
  source: z.string().optional(),
  workspace_path: z.string().nullish(),
  session_count: OptionalCount,
  last_active: z.unknown().optional(),
});
type AgentUpstream = z.infer<typeof AgentUpstream>;

/** Agent ids lose the legacy "viben:" prefix: "viben:reviewer" and "reviewer" are one agent. */
export function agentId(raw: string): string {
  return raw.startsWith(LEGACY_ID_PREFIX) ? raw.slice(LEGACY_ID_PREFIX.length) : raw;
}

function isGlobal(agent: AgentUpstream): boolean {
  if (agent.is_global !== undefined) return agent.is_global;
  if (agent.source !== undefined) return agent.source.toLowerCase() === "global";
  return agent.workspace_path == null;
}

/** Whether the request shows this agent: global ones only with include_global, workspace ones
 * only for their own workspace. */
function belongs(agent: AgentUpstream, query: SourceQuery): boolean {
  if (isGlobal(agent)) return query.includeGlobal;
  if (query.workspacePath === null) return false;
  return agent.workspace_path == null || sameWorkspace(agent.workspace_path, query.workspacePath);
}

export interface AgentStoreDeps {
  client: UpstreamClient;
  clock: Clock;
}

/** Custom agents and their sessions from an HTTP agent store. */
export function createAgentStoreSource(config: AgentStoreConfig, deps: AgentStoreDeps): Source {
  const lookups = createLookupCache<SessionSummary>({
    perRequest: config.sessionLookupsPerRequest,
    concurrency: config.sessionConcurrency,
    ttlMs: config.sessionTtlMs,
    clock: deps.clock,
  });
  const needsLookup = (agent: AgentUpstream) =>
    agent.session_count === undefined || agent.last_active === undefined;
  const lookupKey = (agent: AgentUpstream, query: SourceQuery) =>
    sessionsUrl(`${config.baseUrl}/agents/${encodeURIComponent(agent.id)}`, query.workspacePath);

  function toItem(
    agent: AgentUpstream,
    summary: SessionSummary | undefined,
    query: SourceQuery,
  ): AgentItem {
    const global = isGlobal(agent);
    const id = agentId(agent.id);
    const lastActiveMs =
      UpstreamTimestamp.parse(agent.last_active) ?? summary?.lastActiveMs ?? null;
    return {
      id,
      type: "agent",
      item_type: "agent",
      name: agent.name ?? id,
      description: agent.description,
      last_active: toIso(lastActiveMs),
      source: scopeOf(global),
      source_name: config.name,
      model: agent.model,
      provider: agent.provider ?? agent.provider_id,
      session_count: agent.session_count ?? summary?.sessionCount ?? null,
      workspace_path: global ? null : query.workspacePath,
      is_global: global,
    };
  }

  return queryScopedSource({
    name: config.name,
    kind: "agent_store",
    itemType: "agent",
    timeoutMs: config.timeoutMs,
    async load(query, { signal, remainingMs, trace }): Promise<SourceLoad> {
      const call = { signal, trace };
      const url = withQuery(`${config.baseUrl}/agents`, {
        workspace_path: query.workspacePath,
        include_global: String(query.includeGlobal),
      });
      const body = await deps.client.getJson(url, call);
      const { valid, dropped } = parseEach(listIn(body, "agents"), AgentUpstream);
      const shown = valid.filter((agent) => belongs(agent, query));
      const { summaries, note } = await itemSessions(
        shown,
        {
          client: deps.client,
          lookups,
          needsLookup,
          urlOf: (agent) => lookupKey(agent, query),
          workspacePath: query.workspacePath,
          timeOf: (session) => session.last_message_at ?? session.updated_at ?? session.created_at,
          noun: { one: "agent", many: "agents" },
        },
        { signal, remainingMs, trace },
      );
      const items = shown.map((agent, index) => toItem(agent, summaries[index], query));
      return { items, dropped, note };
    },
  });
}

import type { FakeUpstream, Route } from "./fake-upstream.js";

// Portable fixtures (no Node APIs): used by the Node tests and, inside workerd, by the contract.

export const executorsReply = (...types: string[]): Route => ({
  json: {
    executors: types.map((type) => ({
      type,
      name: type,
      is_available: true,
      session_count: 1,
      last_active: null,
    })),
  },
});

/** A registry listing executors with the given session counts (and no activity time). */
export const executorsWithSessions = (sessions: Record<string, number>): Route => ({
  json: {
    executors: Object.entries(sessions).map(([type, session_count]) => ({
      type,
      name: type,
      is_available: true,
      session_count,
      last_active: null,
    })),
  },
});

export const agentsReply = (...ids: string[]): Route => ({
  json: {
    agents: ids.map((id) => ({
      id,
      name: id,
      is_global: true,
      session_count: 0,
      last_active: null,
    })),
  },
});

/** Config for a registry and a store (and optionally a portal) on the given fake upstreams. */
export function configFor(
  upstreams: { portal?: FakeUpstream; registry?: FakeUpstream; store?: FakeUpstream },
  extra: Record<string, unknown> = {},
  timeoutMs = 400,
) {
  const sources = [];
  if (upstreams.portal)
    sources.push({ kind: "portal", name: "portal", baseUrl: upstreams.portal.url, timeoutMs });
  if (upstreams.registry)
    sources.push({
      kind: "executor_registry",
      name: "executors",
      baseUrl: upstreams.registry.url,
      timeoutMs,
    });
  if (upstreams.store)
    sources.push({ kind: "agent_store", name: "agents", baseUrl: upstreams.store.url, timeoutMs });
  return { sources, ...extra };
}

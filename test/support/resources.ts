import { afterEach } from "vitest";
import { type FakeUpstream, type Route, startFakeUpstream } from "./fake-upstream.js";
import { type GatewayOptions, startGateway, type TestGateway } from "./gateway.js";

/** Starts servers for one test and closes them all after it. Call at the top of a test file. */
export function useResources() {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((resource) => resource.close()));
  });
  return {
    async upstream(routes: Record<string, Route> = {}): Promise<FakeUpstream> {
      const server = await startFakeUpstream(routes);
      open.push(server);
      return server;
    },
    async gateway(config: unknown, options?: GatewayOptions): Promise<TestGateway> {
      const gateway = await startGateway(config, options);
      open.push(gateway);
      return gateway;
    },
  };
}

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

import { describe, expect, it } from "vitest";
import type { FakeUpstream } from "../support/fake-upstream.js";
import { configFor, useResources } from "../support/resources.js";

// The two benchmark numbers that must hold exactly, as counts (not timings), in CI.
const { upstream, gateway } = useResources();

async function threeUpstreams() {
  return {
    portal: await upstream({
      "/v1/portal/chats": { delayMs: 40, json: [{ id: 1, chat_type: "group", name: "one" }] },
      "/v1/portal/chats/1/history": { json: [{ id: "1767225600000-0" }] },
    }),
    registry: await upstream({
      "/executors": {
        delayMs: 10,
        json: [{ type: "A", is_available: true, session_count: 1, last_active: null }],
      },
    }),
    store: await upstream({
      "/agents": {
        delayMs: 25,
        json: [{ id: "a", is_global: true, session_count: 1, last_active: null }],
      },
    }),
  };
}

const listCalls = ({ portal, registry, store }: Record<string, FakeUpstream>) => [
  portal?.callsTo("/v1/portal/chats").length,
  registry?.callsTo("/executors").length,
  store?.callsTo("/agents").length,
];

describe("exact counts behind the benchmarks", () => {
  it("1,000 concurrent cold requests make one upstream call per source", async () => {
    const upstreams = await threeUpstreams();
    // Entries stay fresh for the whole burst: on a loaded machine 1,000 requests can take longer
    // than the default ttlMs, and a refresh after it is a second call that coalescing does not
    // promise to save.
    const gw = await gateway(
      configFor(
        upstreams,
        { rateLimit: { perMinute: 0 }, deadlineMs: 10_000, cache: { ttlMs: 600_000 } },
        8000,
      ),
    );
    const responses = await Promise.all(
      Array.from({ length: 1000 }, () => gw.get("/api/chat-list", { psession: "one-user" })),
    );
    expect(responses.filter((response) => response.status !== 200)).toHaveLength(0);
    await Promise.all(responses.map((response) => response.arrayBuffer()));
    expect(listCalls(upstreams)).toEqual([1, 1, 1]);
  }, 30_000);

  it("a warm run opens no more upstream connections than the pool holds", async () => {
    const upstreams = await threeUpstreams();
    const pool = 4;
    const gw = await gateway(
      configFor(
        upstreams,
        {
          rateLimit: { perMinute: 0 },
          cache: { ttlMs: 0, staleIfErrorMs: 0, unauthorizedTtlMs: 0 },
          upstream: { connectionsPerOrigin: pool },
        },
        5000,
      ),
    );
    for (let round = 0; round < 10; round++)
      await Promise.all(
        // Distinct users and workspaces: 32 upstream calls per source at once, not one.
        Array.from({ length: 32 }, (_, i) =>
          gw
            .get(`/api/chat-list?workspace_path=/w${i}`, { psession: `user-${i}` })
            .then((r) => r.arrayBuffer()),
        ),
      );
    expect(listCalls(upstreams).every((calls) => (calls ?? 0) >= 10)).toBe(true);
    for (const server of Object.values(upstreams))
      expect(server.connections()).toBeLessThanOrEqual(pool);
  }, 30_000);
});

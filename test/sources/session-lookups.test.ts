import { describe, expect, it } from "vitest";
import type { FakeUpstream, RecordedCall, Route } from "../support/fake-upstream.js";
import { manualClock } from "../support/gateway.js";
import { useResources } from "../support/resources.js";

// Issue 15, finding 1: registries and stores that omit counts are looked up item by item, at
// most sessionLookupsPerRequest per request, and what was looked up is reused per item.

const { upstream, gateway } = useResources();
const WORKSPACE = "/home/ana/proj";
// Every request loads its sources again, so only the per-item look-up cache can spare a call.
const noSourceCache = { cache: { ttlMs: 0, staleIfErrorMs: 0 } };

type Item = { id: string; session_count: number | null; member_count?: number | null };
type Body = { items: Item[]; sources: { status: string; note: string | null }[] };

const oneSession = (): { json: unknown } => ({
  json: { sessions: [{ id: "s1", workspace_path: WORKSPACE, created_at: 1_700_000_000_000 }] },
});
const lookupCalls = (server: FakeUpstream, suffix: string) =>
  server.calls.filter((call) => call.path.endsWith(suffix));
const paths = (calls: RecordedCall[]) => new Set(calls.map((call) => call.path));

/** A registry listing `count` executors without session_count or last_active. */
async function bigRegistry(count: number) {
  const types = Array.from({ length: count }, (_, i) => `EXEC_${String(i).padStart(5, "0")}`);
  const routes: Record<string, Route> = {
    "/executors": { json: { executors: types.map((type) => ({ type, is_available: true })) } },
  };
  for (const type of types) routes[`/executors/${type}/sessions`] = oneSession;
  return upstream(routes);
}

describe("session look-ups of an executor registry", () => {
  it("make at most the per-request cap of /sessions calls for 10,000 executors, and say how many are left", async () => {
    const registry = await bigRegistry(10_000);
    const gw = await gateway({
      sources: [{ kind: "executor_registry", name: "reg", baseUrl: registry.url }],
      ...noSourceCache,
    });
    const response = await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`);
    const body = (await response.json()) as Body;
    expect(response.status).toBe(200);
    expect(body.sources[0]?.status).toBe("ok");
    expect(body.items).toHaveLength(10_000);
    const calls = lookupCalls(registry, "/sessions");
    expect(calls.length).toBeLessThanOrEqual(20);
    expect(body.items.filter((item) => item.session_count !== null)).toHaveLength(calls.length);
    expect(body.sources[0]?.note).toBe(
      `${10_000 - calls.length} executors not yet counted (session look-up cap)`,
    );
  });

  it("make no call on the next request for the executors already counted", async () => {
    const registry = await bigRegistry(10_000);
    const gw = await gateway({
      sources: [{ kind: "executor_registry", name: "reg", baseUrl: registry.url }],
      ...noSourceCache,
    });
    await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`);
    const first = paths(lookupCalls(registry, "/sessions"));
    registry.calls.length = 0;
    const body = (await (
      await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`)
    ).json()) as Body;
    const second = paths(lookupCalls(registry, "/sessions"));
    expect(first.size).toBeGreaterThan(0);
    expect(second.size).toBeLessThanOrEqual(20);
    expect([...second].filter((path) => first.has(path))).toEqual([]);
    // What the first request counted is still shown, beside what the second one counted.
    expect(body.items.filter((item) => item.session_count !== null)).toHaveLength(
      first.size + second.size,
    );
  });

  it("ask an executor's sessions again once its count is older than sessionTtlMs", async () => {
    const clock = manualClock();
    const registry = await bigRegistry(3);
    const gw = await gateway(
      {
        sources: [
          { kind: "executor_registry", name: "reg", baseUrl: registry.url, sessionTtlMs: 30_000 },
        ],
        ...noSourceCache,
      },
      { clock },
    );
    await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`);
    clock.advance(29_000);
    await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`);
    expect(lookupCalls(registry, "/sessions")).toHaveLength(3);
    clock.advance(2_000);
    await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`);
    expect(lookupCalls(registry, "/sessions")).toHaveLength(6);
  });

  it("keep each workspace's counts apart", async () => {
    const registry = await bigRegistry(2);
    const gw = await gateway({
      sources: [{ kind: "executor_registry", name: "reg", baseUrl: registry.url }],
      ...noSourceCache,
    });
    await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`);
    await gw.get("/api/chat-list?workspace_path=/home/ana/other");
    expect(lookupCalls(registry, "/sessions").map((call) => call.query.workspace_path)).toEqual([
      WORKSPACE,
      WORKSPACE,
      "/home/ana/other",
      "/home/ana/other",
    ]);
  });

  it("honour sessionLookupsPerRequest", async () => {
    const registry = await bigRegistry(10);
    const gw = await gateway({
      sources: [
        {
          kind: "executor_registry",
          name: "reg",
          baseUrl: registry.url,
          sessionLookupsPerRequest: 3,
        },
      ],
      ...noSourceCache,
    });
    const body = (await (
      await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`)
    ).json()) as Body;
    expect(lookupCalls(registry, "/sessions")).toHaveLength(3);
    expect(body.sources[0]?.note).toBe("7 executors not yet counted (session look-up cap)");
  });
});

describe("session look-ups of an agent store", () => {
  it("stop at the per-request cap and count the rest on later requests", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `agent-${i}`);
    const routes: Record<string, Route> = {
      "/agents": { json: { agents: ids.map((id) => ({ id, is_global: true })) } },
    };
    for (const id of ids) routes[`/agents/${id}/sessions`] = oneSession;
    const store = await upstream(routes);
    const gw = await gateway({
      sources: [{ kind: "agent_store", name: "agents", baseUrl: store.url }],
      ...noSourceCache,
    });
    const first = (await (
      await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`)
    ).json()) as Body;
    expect(lookupCalls(store, "/sessions")).toHaveLength(20);
    expect(first.sources[0]?.note).toBe("10 agents not yet counted (session look-up cap)");
    const second = (await (
      await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`)
    ).json()) as Body;
    expect(lookupCalls(store, "/sessions")).toHaveLength(30);
    expect(second.items.every((item) => item.session_count === 1)).toBe(true);
    expect(second.sources[0]?.note).toBeNull();
  });
});

describe("members and sessions look-ups of a group chat store", () => {
  it("share one per-request cap and are reused per chat", async () => {
    const ids = Array.from({ length: 15 }, (_, i) => `chat-${i}`);
    const routes: Record<string, Route> = {
      "/group-chats": {
        json: ids.map((id) => ({ id, name: id, workspace_path: WORKSPACE })),
      },
    };
    for (const id of ids) {
      routes[`/group-chats/${id}/members`] = { json: { members: [{ id: "m" }] } };
      routes[`/group-chats/${id}/sessions`] = { json: { sessions: [] } };
    }
    const store = await upstream(routes);
    const gw = await gateway({
      sources: [{ kind: "group_chat_store", name: "chats", baseUrl: store.url }],
      ...noSourceCache,
    });
    const first = (await (
      await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`)
    ).json()) as Body;
    const firstCalls =
      lookupCalls(store, "/members").length + lookupCalls(store, "/sessions").length;
    expect(firstCalls).toBe(20);
    expect(first.sources[0]?.note).toBe("5 chats not yet counted (look-up cap)");
    const second = (await (
      await gw.get(`/api/chat-list?workspace_path=${WORKSPACE}`)
    ).json()) as Body;
    const allCalls = lookupCalls(store, "/members").length + lookupCalls(store, "/sessions").length;
    expect(allCalls).toBe(30);
    expect(second.items.every((item) => item.member_count === 1 && item.session_count === 0)).toBe(
      true,
    );
    expect(second.sources[0]?.note).toBeNull();
  });
});

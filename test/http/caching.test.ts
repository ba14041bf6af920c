import { describe, expect, it } from "vitest";
import type { Reply } from "../support/fake-upstream.js";
import { manualClock } from "../support/gateway.js";
import { configFor, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();
const cache = { ttlMs: 5000, staleIfErrorMs: 60_000 };
const executors = (...types: string[]): Reply => ({
  json: types.map((type) => ({ type, is_available: true, session_count: 0, last_active: null })),
});

async function list(gw: { get(path: string): Promise<Response> }, path = "/api/chat-list") {
  const response = await gw.get(path);
  return { status: response.status, body: await response.json() };
}

/** Waits until the upstream has seen `count` calls (a background refresh is not awaited). */
async function untilCalls(calls: unknown[], count: number) {
  for (let i = 0; i < 100 && calls.length < count; i++) await new Promise((r) => setTimeout(r, 10));
}

describe("per-source cache", () => {
  it("serves a fresh entry without calling the upstream again", async () => {
    const clock = manualClock();
    const registry = await upstream({ "/executors": executors("CODEX") });
    const gw = await gateway(configFor({ registry }, { cache }), { clock });
    await list(gw);
    clock.advance(4000);
    const { body } = await list(gw);
    expect(registry.callsTo("/executors")).toHaveLength(1);
    expect(body.sources[0]).toMatchObject({ status: "ok", age_ms: 4000 });
  });

  it("keys executor results by workspace", async () => {
    const registry = await upstream({ "/executors": executors("CODEX") });
    const gw = await gateway(configFor({ registry }, { cache }));
    await list(gw, "/api/chat-list?workspace_path=/a");
    await list(gw, "/api/chat-list?workspace_path=/a/");
    await list(gw, "/api/chat-list?workspace_path=/b");
    expect(registry.callsTo("/executors").map((call) => call.query.workspace_path)).toEqual([
      "/a",
      "/b",
    ]);
  });

  it("serves an expired entry at once and refreshes it in the background", async () => {
    const clock = manualClock();
    const registry = await upstream({ "/executors": executors("CODEX") });
    const gw = await gateway(configFor({ registry }, { cache }), { clock });
    await list(gw);
    registry.route({ "/executors": executors("CODEX", "GEMINI") });
    clock.advance(6000);
    const served = await list(gw);
    expect(served.body.counts.executors).toBe(1);
    expect(served.body.sources[0]).toMatchObject({ status: "ok", age_ms: 6000 });
    await untilCalls(registry.calls, 2);
    await new Promise((r) => setTimeout(r, 20));
    const refreshed = await list(gw);
    expect(refreshed.body.counts.executors).toBe(2);
    expect(refreshed.body.sources[0].age_ms).toBe(0);
  });

  it("serves a stale executor list, marked stale, when the registry fails after expiry", async () => {
    const clock = manualClock();
    const registry = await upstream({ "/executors": executors("CODEX") });
    const gw = await gateway(configFor({ registry }, { cache }), { clock });
    await list(gw);
    registry.route({ "/executors": { status: 500 } });
    clock.advance(6000);
    await list(gw); // starts the refresh that fails
    await untilCalls(registry.calls, 2);
    await new Promise((r) => setTimeout(r, 20));
    const { status, body } = await list(gw);
    expect(status).toBe(200);
    expect(body.items.map((item: { id: string }) => item.id)).toEqual(["CODEX"]);
    expect(body.sources[0].status).toBe("stale");
    expect(body.sources[0].error).toMatch(/HTTP 500/);
    expect(body.complete).toBe(false);
  });

  it("drops an entry past ttl + staleIfErrorMs", async () => {
    const clock = manualClock();
    const registry = await upstream({ "/executors": executors("CODEX") });
    const gw = await gateway(configFor({ registry }, { cache }), { clock });
    await list(gw);
    registry.route({ "/executors": { status: 500 } });
    clock.advance(5000 + 60_000);
    const { status, body } = await list(gw);
    expect(status).toBe(502);
    expect(body.sources[0].status).toBe("error");
  });

  it("forgets a portal list once the portal refuses that session, instead of serving it stale", async () => {
    const clock = manualClock();
    const portal = await upstream({
      "/v1/portal/chats": { json: [{ id: 1, chat_type: "group", name: "secret plans" }] },
      "/v1/portal/chats/1/history": { json: [] },
    });
    const gw = await gateway(
      configFor({ portal }, { cache: { ...cache, unauthorizedTtlMs: 1000 } }),
      { clock },
    );
    const get = async () => {
      const response = await gw.get("/api/chat-list", { psession: "revoked" });
      return { status: response.status, text: await response.text() };
    };
    expect((await get()).status).toBe(200);
    portal.route({ "/v1/portal/chats": { status: 401, json: { detail: "Not authenticated" } } });
    clock.advance(6000);
    await get(); // serves the expired entry and starts the refresh that is refused
    await untilCalls(portal.callsTo("/v1/portal/chats"), 2);
    await new Promise((r) => setTimeout(r, 20));
    for (const advance of [0, 2000, 2000]) {
      clock.advance(advance);
      const after = await get();
      expect(after.status).toBe(401);
      expect(after.text).not.toContain("secret plans");
    }
  });

  it("does not cache failures as data", async () => {
    const registry = await upstream({ "/executors": { status: 500 } });
    const gw = await gateway(configFor({ registry }, { cache }));
    expect((await list(gw)).status).toBe(502);
    registry.route({ "/executors": executors("CODEX") });
    const { status, body } = await list(gw);
    expect(status).toBe(200);
    expect(body.counts.executors).toBe(1);
  });
});

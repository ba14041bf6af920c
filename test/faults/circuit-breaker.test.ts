import { describe, expect, it } from "vitest";
import { manualClock } from "../support/gateway.js";
import { configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();
const breaker = { failureThreshold: 3, cooldownMs: 10_000 };

type Body = { sources: { status: string; error: string | null }[]; items: { id: string }[] };
const list = async (gw: { get(path: string): Promise<Response> }) =>
  (await (await gw.get("/api/chat-list")).json()) as Body;

describe("circuit breaker", () => {
  it("stops calling a source after consecutive failures, then lets one probe through", async () => {
    const clock = manualClock();
    const registry = await upstream({ "/executors": { status: 500 } });
    const gw = await gateway(configFor({ registry }, { breaker }), { clock });
    for (let i = 0; i < 3; i++) await list(gw);
    expect(registry.calls).toHaveLength(3);

    const open = await list(gw);
    expect(registry.calls).toHaveLength(3);
    expect(open.sources[0]).toMatchObject({ status: "error" });
    expect(open.sources[0]?.error).toMatch(/circuit open/);

    clock.advance(10_000);
    registry.route({ "/executors": executorsReply("CODEX") });
    const probe = await list(gw);
    expect(registry.calls).toHaveLength(4);
    expect(probe.sources[0]?.status).toBe("ok");
    await list(gw);
    expect(registry.calls).toHaveLength(4); // closed again, and the result is cached
  });

  it("re-opens when the probe fails", async () => {
    const clock = manualClock();
    const registry = await upstream({ "/executors": { status: 500 } });
    const gw = await gateway(configFor({ registry }, { breaker }), { clock });
    for (let i = 0; i < 3; i++) await list(gw);
    clock.advance(10_000);
    await list(gw); // the probe, which fails
    expect(registry.calls).toHaveLength(4);
    await list(gw);
    expect(registry.calls).toHaveLength(4);
  });

  it("serves stale data while the circuit is open, with the reason", async () => {
    const clock = manualClock();
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const gw = await gateway(
      configFor({ registry }, { breaker, cache: { ttlMs: 1000, staleIfErrorMs: 600_000 } }),
      { clock },
    );
    await list(gw);
    registry.route({ "/executors": { status: 500 } });
    for (let i = 0; i < 6; i++) {
      clock.advance(2000);
      await list(gw);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the background refresh
    }
    const callsWhenOpen = registry.calls.length;
    expect(callsWhenOpen).toBe(4); // one good load, then three failures opened the circuit
    const body = await list(gw);
    expect(body.items.map((item) => item.id)).toEqual(["CODEX"]);
    expect(body.sources[0]?.status).toBe("stale");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await list(gw)).sources[0]?.error).toMatch(/circuit open/);
    expect(registry.calls).toHaveLength(callsWhenOpen);
  });

  it("does not count a refused cookie as the portal failing", async () => {
    const portal = await upstream({
      "/v1/portal/chats": { status: 401, json: { detail: "Not authenticated" } },
    });
    const gw = await gateway(configFor({ portal }, { breaker, cache: { unauthorizedTtlMs: 0 } }));
    for (let i = 0; i < 5; i++) await gw.get("/api/chat-list", { psession: `user-${i}` });
    expect(portal.callsTo("/v1/portal/chats")).toHaveLength(5);
  });
});

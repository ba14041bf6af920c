import { describe, expect, it } from "vitest";
import type { FakeUpstream, RecordedCall } from "../support/fake-upstream.js";
import { manualClock } from "../support/gateway.js";
import { useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();
const noSourceCache = { cache: { ttlMs: 0, staleIfErrorMs: 0 } };
const chats = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    chat_type: "group",
    name: `chat ${index + 1}`,
  }));

/** A portal with `count` chats whose histories answer through `history`. */
async function portalWith(
  count: number,
  history: (call: RecordedCall) => object = () => ({ json: [{ id: "1710000000000-0" }] }),
) {
  const routes: Record<string, (call: RecordedCall) => object> = {
    "/v1/portal/chats": () => ({ json: chats(count) }),
    // Asked once per session (then cached), and spent from the same budgets as the histories;
    // each session is its own user here.
    "/v1/users/me": (call) => ({
      json: { id: /psession=([^;]+)/.exec(String(call.headers.cookie))?.[1] ?? "?" },
    }),
  };
  for (let id = 1; id <= count; id++) routes[`/v1/portal/chats/${id}/history`] = history;
  return upstream(routes);
}

const historyCalls = (portal: FakeUpstream) =>
  portal.calls.filter((call) => call.path.endsWith("/history"));
type Item = { last_active: string | null };
const dated = (body: { items: Item[] }) =>
  body.items.filter((item) => item.last_active !== null).length;

function portalConfig(portal: FakeUpstream, history: Record<string, number>, timeoutMs = 1000) {
  return {
    sources: [{ kind: "portal", name: "portal", baseUrl: portal.url, timeoutMs, history }],
    ...noSourceCache,
  };
}

describe("portal history calls", () => {
  it("never run more than the concurrency cap at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const portal = await portalWith(8, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight--;
      return { json: [{ id: "1710000000000-0" }] };
    });
    const gw = await gateway(portalConfig(portal, { concurrency: 2 }));
    const body = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(dated(body)).toBe(8);
    expect(peak).toBe(2);
  });

  it("reuse a chat's last activity for the history TTL, then ask again", async () => {
    const clock = manualClock();
    const portal = await portalWith(3);
    const gw = await gateway(portalConfig(portal, { ttlMs: 60_000 }), { clock });
    await gw.get("/api/chat-list", { psession: "u" });
    clock.advance(30_000);
    const warm = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(dated(warm)).toBe(3);
    expect(historyCalls(portal)).toHaveLength(3);
    clock.advance(31_000);
    await gw.get("/api/chat-list", { psession: "u" });
    expect(historyCalls(portal)).toHaveLength(6);
  });

  it("stop at the per-user budget; the rest stay null until a later request fills them in", async () => {
    const clock = manualClock();
    const portal = await portalWith(5);
    // Three history calls a minute for the user (who the caller is is the session's call).
    const gw = await gateway(portalConfig(portal, { perUserPerMinute: 3 }), { clock });
    const first = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(historyCalls(portal)).toHaveLength(3);
    expect(dated(first)).toBe(3);
    expect(first.sources[0].status).toBe("ok");
    clock.advance(40_000); // refills two of three tokens
    const later = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(historyCalls(portal)).toHaveLength(5);
    expect(dated(later)).toBe(5);
  });

  it("say in the source's note how many chats the budget left undated, until none is", async () => {
    const clock = manualClock();
    const portal = await portalWith(5);
    const gw = await gateway(portalConfig(portal, { perUserPerMinute: 3 }), { clock });
    const first = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(first.sources[0].note).toBe("2 chats not yet dated (history budget)");
    clock.advance(40_000);
    const later = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(later.sources[0].note).toBeNull();
  });

  it("give each user their own budget", async () => {
    const portal = await portalWith(4);
    const gw = await gateway(portalConfig(portal, { perUserPerMinute: 3 }));
    await gw.get("/api/chat-list", { psession: "alice" });
    await gw.get("/api/chat-list", { psession: "bob" });
    expect(historyCalls(portal)).toHaveLength(4);
  });

  it("stop at the instance-wide budget, whoever asks", async () => {
    const portal = await portalWith(6);
    // Five calls a minute for the gateway: alice's identity and four histories; none for bob.
    const gw = await gateway(portalConfig(portal, { perUserPerMinute: 100, perMinute: 5 }));
    await gw.get("/api/chat-list", { psession: "alice" });
    await gw.get("/api/chat-list", { psession: "bob" });
    expect(historyCalls(portal)).toHaveLength(4);
  });

  it("stop at the per-request cap, which keeps a Worker within its subrequest limit", async () => {
    const portal = await portalWith(6);
    const gw = await gateway(portalConfig(portal, { maxPerRequest: 2 }));
    const body = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(historyCalls(portal)).toHaveLength(2);
    expect(dated(body)).toBe(2);
  });

  it("honour a 429's Retry-After: no history call before it has passed", async () => {
    const clock = manualClock();
    const portal = await portalWith(3, () => ({
      status: 429,
      headers: { "retry-after": "30" },
      json: { detail: "Too Many Requests" },
    }));
    const gw = await gateway(portalConfig(portal, { concurrency: 1 }), { clock });
    await gw.get("/api/chat-list", { psession: "u" });
    expect(historyCalls(portal)).toHaveLength(1);
    clock.advance(29_000);
    await gw.get("/api/chat-list", { psession: "u" });
    expect(historyCalls(portal)).toHaveLength(1);
    clock.advance(2_000);
    await gw.get("/api/chat-list", { psession: "u" });
    expect(historyCalls(portal)).toHaveLength(2);
  });

  it("send none of a request's queued history calls once the portal's list answered 429 with Retry-After", async () => {
    // Ana's ten chats are dated one call at a time, each taking a moment; while they are
    // queued, Bo's list call meets a 429: the portal asked to wait, so Ana's queue stops.
    const portal = await portalWith(10, async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { json: [{ id: "1710000000000-0" }] };
    });
    portal.route({
      "/v1/portal/chats": (call) =>
        String(call.headers.cookie).includes("psession=bo")
          ? { status: 429, headers: { "retry-after": "30" }, json: { detail: "slow down" } }
          : { json: chats(10) },
    });
    const gw = await gateway(portalConfig(portal, { concurrency: 1 }, 10_000));
    const ana = gw.get("/api/chat-list", { psession: "ana" });
    // An event, not a time: Ana's first history call has reached the portal.
    await expect.poll(() => historyCalls(portal).length, { timeout: 5000, interval: 5 }).toBe(1);
    const bo = await gw.get("/api/chat-list", { psession: "bo" });
    expect(bo.status).toBe(502);
    // The gateway has read the 429 now. At most the call on its way then may still arrive.
    const sentBefore = historyCalls(portal).length;
    const body = await (await ana).json();
    expect(historyCalls(portal).length).toBeLessThanOrEqual(sentBefore + 1);
    expect(dated(body)).toBeLessThan(10);
  });

  it("hold the portal's list call while a history call's Retry-After lasts", async () => {
    const portal = await portalWith(1, () => ({
      status: 429,
      headers: { "retry-after": "30" },
      json: { detail: "Too Many Requests" },
    }));
    const gw = await gateway(portalConfig(portal, {}));
    await gw.get("/api/chat-list", { psession: "ana" });
    expect(historyCalls(portal)).toHaveLength(1);
    const listCalls = portal.callsTo("/v1/portal/chats").length;
    // Another user, nothing cached: the portal asked the gateway (one client) to wait.
    const response = await gw.get("/api/chat-list", { psession: "bo" });
    expect(portal.callsTo("/v1/portal/chats")).toHaveLength(listCalls);
    const body = await response.json();
    expect(body.sources[0]).toMatchObject({ status: "error" });
    expect(body.sources[0].error).toMatch(/Retry-After/);
  });

  it("give up on slow histories in time to return the list within the source timeout", async () => {
    const portal = await portalWith(3, () => ({ delayMs: 2000, json: [] }));
    const gw = await gateway(portalConfig(portal, {}, 300));
    const started = Date.now();
    const response = await gw.get("/api/chat-list", { psession: "u" });
    const body = await response.json();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(body.sources[0].status).toBe("ok");
    expect(body.counts.group_chats).toBe(3);
    expect(dated(body)).toBe(0);
  });
});

describe("the portal source's time budget", () => {
  it("stops history calls before the source timeout, counted from the start of the load", async () => {
    const portal = await portalWith(3, () => ({ delayMs: 2000, json: [] }));
    portal.route({ "/v1/portal/chats": { delayMs: 200, json: chats(3) } });
    const gw = await gateway(portalConfig(portal, {}, 600));
    const body = await (await gw.get("/api/chat-list", { psession: "u" })).json();
    expect(body.sources[0].status).toBe("ok");
    // The list took 200 ms of the 600: history calls get the rest less a margin, so the source
    // answers before its own deadline instead of being cut off by it.
    expect(body.sources[0].duration_ms).toBeLessThan(600);
  });
});

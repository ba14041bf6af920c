import { describe, expect, it } from "vitest";
import type { FakeUpstream, RecordedCall, Reply, Route } from "../support/fake-upstream.js";
import { manualClock } from "../support/gateway.js";
import { useResources } from "../support/resources.js";

// Issue 15, finding 3: the portal's history budget is shared fairly between the users waiting
// for it, and a user's budget is that user's (DESIGN §8: per identity), however many sessions
// the user has.

const { upstream, gateway } = useResources();
// No source cache; and time enough that a busy machine never cuts a history batch short: these
// tests are about how the budgets share calls, not about time (a cut batch dates fewer chats).
const noSourceCache = { cache: { ttlMs: 0, staleIfErrorMs: 0 }, deadlineMs: 10_000 };
const TIMEOUT_MS = 10_000;

/** Ana has six sessions and 60 chats (1–60); Bo one session and 10 chats (101–110). */
const SESSIONS: Record<string, { user: number; chats: number[] }> = {};
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
for (let i = 1; i <= 6; i++) SESSIONS[`ana-${i}`] = { user: 1, chats: range(1, 60) };
SESSIONS.bo = { user: 2, chats: range(101, 10) };

async function twoUserPortal(): Promise<FakeUpstream> {
  const session = (call: RecordedCall) =>
    SESSIONS[/psession=([^;]+)/.exec(String(call.headers.cookie))?.[1] ?? ""];
  const routes: Record<string, Route> = {
    "/v1/users/me": (call): Reply => ({ json: { id: session(call)?.user } }),
    "/v1/portal/chats": (call): Reply => ({
      json: (session(call)?.chats ?? []).map((id) => ({ id, chat_type: "group", name: `c${id}` })),
    }),
  };
  for (const id of [...range(1, 60), ...range(101, 10)])
    routes[`/v1/portal/chats/${id}/history`] = { json: [{ id: "1710000000000-0" }] };
  return upstream(routes);
}

type Body = { items: { last_active: string | null }[] };
const dated = (body: Body) => body.items.filter((item) => item.last_active !== null).length;
const historyCalls = (portal: FakeUpstream, ids: number[]) =>
  portal.calls.filter((call) => ids.some((id) => call.path === `/v1/portal/chats/${id}/history`));

describe("the portal's history budget", () => {
  it("gives another user a fair share while one user's six sessions wait for it", async () => {
    const clock = manualClock();
    const portal = await twoUserPortal();
    const gw = await gateway(
      {
        sources: [
          {
            kind: "portal",
            name: "portal",
            baseUrl: portal.url,
            timeoutMs: TIMEOUT_MS,
            history: { perMinute: 40, perUserPerMinute: 1000 },
          },
        ],
        ...noSourceCache,
      },
      { clock },
    );
    let bo: Body = { items: [] };
    // Three rounds of polling, 15 s apart: each of Ana's sessions, then Bo.
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i <= 6; i++) await gw.get("/api/chat-list", { psession: `ana-${i}` });
      bo = (await (await gw.get("/api/chat-list", { psession: "bo" })).json()) as Body;
      clock.advance(15_000);
    }
    // 40 + 10 + 10 calls were available; Bo needed 11 of them (who he is, ten histories),
    // well within half.
    expect(dated(bo)).toBe(10);
    // Ana was not starved either: once Bo was served she took the rest.
    expect(historyCalls(portal, range(1, 60)).length).toBeGreaterThan(38);
  });

  it("holds all of one user's sessions to one per-user budget", async () => {
    const portal = await twoUserPortal();
    const gw = await gateway({
      sources: [
        {
          kind: "portal",
          name: "portal",
          baseUrl: portal.url,
          timeoutMs: TIMEOUT_MS,
          history: { perMinute: 1000, perUserPerMinute: 10 },
        },
      ],
      ...noSourceCache,
    });
    for (let i = 1; i <= 6; i++) await gw.get("/api/chat-list", { psession: `ana-${i}` });
    expect(historyCalls(portal, range(1, 60))).toHaveLength(10);
  });

  it("dates a user's 100 chats within a minute of polling at the default budgets", async () => {
    const clock = manualClock();
    const ids = range(1, 100);
    const routes: Record<string, Route> = {
      "/v1/users/me": { json: { id: 1 } },
      "/v1/portal/chats": { json: ids.map((id) => ({ id, chat_type: "group", name: `c${id}` })) },
    };
    for (const id of ids) routes[`/v1/portal/chats/${id}/history`] = { json: [{ id: "1-0" }] };
    const portal = await upstream(routes);
    const gw = await gateway(
      {
        sources: [{ kind: "portal", name: "portal", baseUrl: portal.url, timeoutMs: TIMEOUT_MS }],
        ...noSourceCache,
      },
      { clock },
    );
    let body: Body = { items: [] };
    // A sidebar polling every 5 s.
    for (let second = 0; second <= 60; second += 5) {
      body = (await (await gw.get("/api/chat-list", { psession: "ana" })).json()) as Body;
      clock.advance(5_000);
    }
    expect(dated(body)).toBe(100);
  });
});

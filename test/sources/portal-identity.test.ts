import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { createPortalBudgets } from "../../src/sources/portal/budgets.js";
import { createIdentityResolver } from "../../src/sources/portal/identity.js";
import type { UpstreamClient } from "../../src/upstream/http-client.js";
import { UpstreamError } from "../../src/upstream/upstream-error.js";
import { startFakePortal } from "../support/fake-portal.js";
import { useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

describe("the portal's who-am-I", () => {
  it("leaves no timer behind once a session's identity is known, however many sessions ask", async () => {
    const signals: AbortSignal[] = [];
    const client: Pick<UpstreamClient, "getJson"> = {
      async getJson(_url, options) {
        signals.push(options.signal);
        return { id: 7 };
      },
    };
    const resolver = createIdentityResolver({
      source: "portal",
      baseUrl: "http://portal.test",
      client,
      budgets: createPortalBudgets({
        clock: { now: () => Date.now() },
        perMinute: 100_000,
        perUserPerMinute: 100_000,
      }),
      logger: silentLogger,
      ttlMs: 600_000,
      timeoutMs: 50,
    });
    const before = timers();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        resolver.resolve(`session-${index}`, `hash-${index}`, {
          signal: new AbortController().signal,
        }),
      ),
    );
    expect(answers.every((answer) => answer.identity === "portal:7")).toBe(true);
    expect(signals).toHaveLength(200);
    // Each call had a deadline of its own, and each deadline is gone with its call: no timer
    // is left, and none fires later (a timer kept to the end of its timeout would, holding the
    // signal and what listens to it until then, for every new session).
    expect(timers()).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(signals.filter((signal) => signal.aborted)).toHaveLength(0);
  });
});

describe("a session the portal refused", () => {
  it("is answered from memory for refusedTtlMs, spending no call and no budget", async () => {
    let calls = 0;
    const client: Pick<UpstreamClient, "getJson"> = {
      async getJson() {
        calls++;
        throw new UpstreamError({ kind: "http", status: 401, message: "HTTP 401" });
      },
    };
    const budgets = createPortalBudgets({
      clock: { now: () => 0 },
      perMinute: 100,
      perUserPerMinute: 100,
    });
    const resolver = createIdentityResolver({
      source: "portal",
      baseUrl: "http://portal.test",
      client,
      budgets,
      logger: silentLogger,
      ttlMs: 600_000,
      timeoutMs: 500,
      refusedTtlMs: 5000,
    });
    const ask = () => resolver.resolve("bad", "hash-bad", { signal: new AbortController().signal });
    expect(await ask()).toMatchObject({ identity: null });
    const left = budgets.left();
    for (let index = 0; index < 20; index++) {
      const answer = await ask();
      expect(answer.identity).toBeNull();
      expect(answer).toMatchObject({ reason: expect.stringContaining("refused") });
    }
    expect(calls).toBe(1);
    expect(budgets.left()).toBe(left);
  });
});

describe("a who-am-I failure", () => {
  it("is not cached as the caller's identity: badges come back once the portal answers again", async () => {
    const { server } = await startFakePortal(upstream);
    let meUp = false;
    server.route({
      "/v1/users/me": () =>
        meUp ? { json: { id: 1 } } : { status: 500, json: { detail: "who-am-I is down" } },
    });
    // A list cached for a minute: long enough that a cached null identity would show.
    const gw = await gateway({
      sources: [{ kind: "portal", name: "portal", baseUrl: server.url }],
      cache: { ttlMs: 60_000 },
    });
    type Body = {
      items: { id: string; unread_count: number | null }[];
      sources: { note: string | null }[];
    };
    const list = async () =>
      (await (await gw.get("/api/chat-list", { psession: "ana-phone" })).json()) as Body;

    const during = await list();
    expect(during.items).toEqual([expect.objectContaining({ id: "gc-10", unread_count: null })]);
    expect(during.sources[0]?.note).toMatch(/unread counts unavailable/);

    meUp = true;
    // The list stays cached; the identity is asked again (in the background of a request) and
    // the badge comes back within a request or two, not after the cache's minute.
    await expect
      .poll(async () => (await list()).items[0]?.unread_count, { timeout: 5000, interval: 50 })
      .toBe(0);
    expect((await list()).sources[0]?.note).toBeNull();
    expect(server.callsTo("/v1/portal/chats")).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { createPortalBudgets } from "../../src/sources/portal/budgets.js";
import { createIdentityResolver } from "../../src/sources/portal/identity.js";
import type { UpstreamClient } from "../../src/upstream/http-client.js";
import { UpstreamError } from "../../src/upstream/upstream-error.js";

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

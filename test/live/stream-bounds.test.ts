import { describe, expect, it } from "vitest";
import { executorsWithSessions } from "../support/fixtures.js";
import { configFor, useResources } from "../support/resources.js";
import { openSse, type SseClient } from "../support/sse-client.js";

// Issue 22, findings 5 and 6: what one client address, or one web page, may hold of the
// gateway's streams, and what a refused cookie may cost the portal.

const { upstream, gateway } = useResources();

/** Opens streams one after another, each with its own headers; all closed by `closeAll`. */
function streams(url: string) {
  const open: SseClient[] = [];
  return {
    async add(headers: Record<string, string>) {
      const live = await openSse(`${url}/api/chat-list/stream`, headers);
      open.push(live);
      return live;
    },
    closeAll: () => {
      for (const live of open) live.close();
    },
  };
}

describe("streams per client address", () => {
  it("refuses a stream past live.maxStreamsPerAddress with 429, whatever cookie each sends", async () => {
    const registry = await upstream({ "/executors": executorsWithSessions({ CODEX: 1 }) });
    const gw = await gateway(
      configFor({ registry }, { live: { maxStreamsPerAddress: 3, maxStreamsPerCaller: 8 } }),
    );
    const held = streams(gw.url);
    try {
      for (const cookie of ["a", "b", "c"])
        expect((await held.add({ cookie: `psession=${cookie}` })).status).toBe(200);
      const fourth = await fetch(`${gw.url}/api/chat-list/stream`, {
        headers: { cookie: "psession=d" },
      });
      expect(fourth.status).toBe(429);
      expect(fourth.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await fourth.json()).toMatchObject({
        code: "too_many_streams",
        detail: "at most 3 streams per client address",
      });
      // No cookie at all is the same address too.
      expect((await fetch(`${gw.url}/api/chat-list/stream`)).status).toBe(429);
    } finally {
      held.closeAll();
    }
  });

  it("spends no portal call on a refused cookie while its streams stay open", async () => {
    // The portal refuses every session; a registry beside it counts the feeds' refreshes.
    const portal = await upstream({
      "/v1/portal/chats": { status: 401, json: { detail: "bad session" } },
      "/v1/users/me": { status: 401, json: { detail: "bad session" } },
    });
    const registry = await upstream({ "/executors": executorsWithSessions({ CODEX: 1 }) });
    const gw = await gateway(
      configFor(
        { portal, registry },
        {
          // The refusal is remembered for less than a refresh period, as cache.unauthorizedTtlMs
          // (5 s) is no longer than the default live.refreshMs (cache.ttlMs, 5 s).
          cache: { ttlMs: 0, staleIfErrorMs: 0, unauthorizedTtlMs: 20 },
          live: { refreshMs: 100 },
        },
      ),
    );
    const held = streams(gw.url);
    try {
      for (let index = 0; index < 5; index++) {
        const live = await held.add({ cookie: `psession=random-${index}` });
        const snapshot = await live.next((event) => event.event === "snapshot", 5000);
        expect(JSON.parse(snapshot.data).sources[0]).toMatchObject({
          name: "portal",
          status: "unauthorized",
        });
      }
      const portalCalls = portal.calls.length;
      // Each of the five feeds collects again every 100 ms: wait for about four rounds of them.
      const registryCalls = registry.calls.length;
      await expect
        .poll(() => registry.calls.length, { timeout: 10_000, interval: 50 })
        .toBeGreaterThanOrEqual(registryCalls + 20);
      expect(portal.calls.length).toBe(portalCalls);
    } finally {
      held.closeAll();
    }
  });
});

describe("streams from a web page", () => {
  it("refuses an Origin not in http.corsOrigins with 403 before the stream takes a slot", async () => {
    const registry = await upstream({ "/executors": executorsWithSessions({ CODEX: 1 }) });
    const gw = await gateway(
      configFor(
        { registry },
        {
          http: { corsOrigins: ["tauri://localhost"] },
          // One stream for a caller without a cookie (its address): the sidebar's.
          live: { maxStreamsPerCaller: 1 },
        },
      ),
    );
    const held = streams(gw.url);
    try {
      // A page re-opening EventSources (which send the page's origin; a sandboxed one "null").
      const pages: Array<Record<string, string>> = [
        { origin: "https://evil.example" },
        { origin: "https://evil.example" },
        { origin: "null" },
      ];
      for (const headers of pages) {
        const page = await fetch(`${gw.url}/api/chat-list/stream`, { headers });
        expect(page.status).toBe(403);
        expect(await page.json()).toMatchObject({ code: "origin_not_allowed" });
      }
      // The sidebar's webview still gets the one slot there is.
      const sidebar = await held.add({ origin: "tauri://localhost" });
      expect(sidebar.status).toBe(200);
      await sidebar.next((event) => event.event === "snapshot", 5000);
    } finally {
      held.closeAll();
    }
  });
});

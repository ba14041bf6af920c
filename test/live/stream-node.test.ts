import { describe, expect, it } from "vitest";
import type { Route } from "../support/fake-upstream.js";
import { configFor, useResources } from "../support/resources.js";
import { openSse, type SseClient } from "../support/sse-client.js";

const { upstream, gateway } = useResources();
const REFRESH_MS = 400;

const executors = (sessions: Record<string, number>): Route => ({
  json: {
    executors: Object.entries(sessions).map(([type, session_count]) => ({
      type,
      name: type,
      is_available: true,
      session_count,
      last_active: null,
    })),
  },
});

const stream = (url: string, headers: Record<string, string> = {}): Promise<SseClient> =>
  openSse(url, headers);

describe("GET /api/chat-list/stream", () => {
  it("sends retry, then a snapshot equal to the list, then one patch for a change", async () => {
    const registry = await upstream({ "/executors": executors({ CODEX: 1, GEMINI: 2 }) });
    const gw = await gateway(
      configFor({ registry }, { cache: { ttlMs: REFRESH_MS }, live: { refreshMs: REFRESH_MS } }),
    );
    const list = await (await gw.get("/api/chat-list")).json();
    const live = await stream(`${gw.url}/api/chat-list/stream`);
    try {
      expect(live.status).toBe(200);
      expect(live.headers.get("content-type")).toContain("text/event-stream");
      const snapshot = await live.next((event) => event.event === "snapshot", 2000);
      expect(live.events[0]?.event).toBe("retry");
      const body = JSON.parse(snapshot.data);
      expect(body.items).toEqual(list.items);
      expect(body.counts).toEqual(list.counts);
      expect(body.complete).toBe(list.complete);

      registry.route({ "/executors": executors({ CODEX: 5, GEMINI: 2 }) });
      const changedAt = Date.now();
      const patch = await live.next((event) => event.event === "patch", REFRESH_MS + 1000);
      expect(patch.at - changedAt).toBeLessThan(REFRESH_MS + 1000);
      expect(JSON.parse(patch.data)).toMatchObject({
        upsert: [expect.objectContaining({ id: "CODEX", session_count: 5 })],
        remove: [],
        complete: true,
      });
      expect(JSON.parse(patch.data).upsert).toHaveLength(1);
    } finally {
      live.close();
    }
  });

  it("sends no patch while nothing changes", async () => {
    const registry = await upstream({ "/executors": executors({ CODEX: 1 }) });
    const gw = await gateway(
      configFor({ registry }, { cache: { ttlMs: REFRESH_MS }, live: { refreshMs: REFRESH_MS } }),
    );
    const live = await stream(`${gw.url}/api/chat-list/stream`);
    try {
      await live.next((event) => event.event === "snapshot", 2000);
      await new Promise((resolve) => setTimeout(resolve, REFRESH_MS * 3 + 100));
      expect(registry.callsTo("/executors").length).toBeGreaterThanOrEqual(3);
      expect(live.events.filter((event) => event.event === "patch")).toEqual([]);
    } finally {
      live.close();
    }
  });
});

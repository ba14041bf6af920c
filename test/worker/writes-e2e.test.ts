import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/runtime/worker.js";
import { createInMemoryUpstreams } from "../contract/in-memory-upstream.js";
import { portalMessage, startFakePortal, uncachedPortalConfig } from "../support/fake-portal.js";
import { sseReader } from "../support/sse-reader.js";
import { ciphertext } from "../support/writes.js";

// The Worker as deployed, with the identity's Durable Object holding the streams: a write made
// in the isolate reaches them through the object (DESIGN §13).
const upstreams = createInMemoryUpstreams();
const realFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    return url.includes(".test")
      ? upstreams.fetch(url, init)
      : realFetch(input as RequestInfo, init);
  }) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

type Item = { id: string; last_active: string | null; unread_count: number | null };
const upserted = (data: string | undefined, id: string) =>
  (JSON.parse(data ?? "{}") as { upsert?: Item[] }).upsert?.find((item) => item.id === id);

async function deployed() {
  const portal = await startFakePortal(async (routes) => upstreams.add(routes));
  // Cached for a minute, the loop a minute apart: what the streams show of a write, they show
  // because the object heard of it.
  const config = {
    sources: [
      { kind: "portal", name: "portal", baseUrl: portal.server.url, history: { ttlMs: 60_000 } },
    ],
    cache: { ttlMs: 60_000 },
    live: { refreshMs: 60_000, minIntervalMs: 0 },
  };
  let bindings = { ...env, CHAT_LIST_CONFIG_JSON: JSON.stringify(config) };
  const call = async (path: string, init: RequestInit = {}) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request(`http://gateway.test${path}`, init),
      bindings,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  };
  const post = (path: string, psession: string, body: unknown) =>
    call(path, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `psession=${psession}` },
      body: JSON.stringify(body),
    });
  return {
    portal,
    call,
    post,
    /** Redeploys with the portal uncached (the objects keep their storage). */
    uncached() {
      bindings = {
        ...env,
        CHAT_LIST_CONFIG_JSON: JSON.stringify(uncachedPortalConfig(portal.server.url)),
      };
    },
  };
}

describe("writes on Workers, through the identity's Durable Object", () => {
  it("a chat created on the phone reaches the desktop's stream; a message sent from the desktop moves the phone's chat and reads it; another user's message then counts 1", async () => {
    const { portal, call, post, uncached } = await deployed();
    // Every log line of the isolate and the object (Workers Logs reads console output).
    const logged: string[] = [];
    const console_ = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
    });
    const open = (psession: string) =>
      call("/api/chat-list/stream", { headers: { cookie: `psession=${psession}` } });
    const desktop = sseReader(await open("ana-desktop"));
    const phone = sseReader(await open("ana-phone"));
    try {
      await desktop.next("snapshot");
      const phoneSnapshot = JSON.parse((await phone.next("snapshot"))?.data ?? "{}") as {
        items: Item[];
      };
      const before = phoneSnapshot.items.find((item) => item.id === "gc-10") as Item;

      const created = await post("/api/chat-list/group-chats", "ana-phone", { name: "war-room" });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ item: { id: "gc-100", unread_count: 0 } });
      for (let patch = await desktop.next("patch"); ; patch = await desktop.next("patch")) {
        if (patch === null) throw new Error("the desktop's stream ended");
        if (upserted(patch.data, "gc-100") !== undefined) break;
      }
      const list = await call("/api/chat-list", { headers: { cookie: "psession=ana-desktop" } });
      const listed = (await list.json()) as { items: Item[] };
      expect(listed.items.map((item) => item.id)).toContain("gc-100");

      const { content, ct } = ciphertext();
      const sent = await post("/api/chat-list/group-chats/gc-10/messages", "ana-desktop", {
        content,
      });
      expect(sent.status).toBe(201);
      for (let patch = await phone.next("patch"); ; patch = await phone.next("patch")) {
        if (patch === null) throw new Error("the phone's stream ended");
        const item = upserted(patch.data, "gc-10");
        if (item?.unread_count === 0 && item.last_active !== before.last_active) break;
      }
      expect(portal.writes()).toHaveLength(2);

      // Cy answers; the markers (in the object) sit on the desktop's message: one unread.
      portal.history.push(portalMessage(portal.nextSeq(), 3));
      uncached();
      const after = await call("/api/chat-list", { headers: { cookie: "psession=ana-phone" } });
      const items = ((await after.json()) as { items: Item[] }).items;
      expect(items.find((item) => item.id === "gc-10")?.unread_count).toBe(1);
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.filter((line) => line.includes(ct))).toEqual([]);
    } finally {
      console_.mockRestore();
      await desktop.stop();
      await phone.stop();
    }
  });
});

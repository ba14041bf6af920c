import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/runtime/worker.js";
import { createInMemoryUpstreams } from "../contract/in-memory-upstream.js";
import { portalMessage, startFakePortal, uncachedPortalConfig } from "../support/fake-portal.js";
import { sseReader } from "../support/sse-reader.js";

// The Worker as deployed (its default export, the READ_STATE binding of wrangler.toml), with
// upstreams answering behind the runtime's global fetch, which the identity's object uses too.
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

async function deployed() {
  const { server, history } = await startFakePortal(async (routes) => upstreams.add(routes));
  const bindings = {
    ...env,
    // Over several lines, as a config file (or wrangler.toml's [vars]) usually is.
    CHAT_LIST_CONFIG_JSON: JSON.stringify(
      uncachedPortalConfig(server.url, { live: { refreshMs: 60_000, minIntervalMs: 0 } }),
      null,
      2,
    ),
  };
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
  const unread = async (psession: string) => {
    const response = await call("/api/chat-list", { headers: { cookie: `psession=${psession}` } });
    const body = (await response.json()) as {
      items: { id: string; unread_count: number | null }[];
    };
    return body.items.find((item) => item.id === "gc-10")?.unread_count;
  };
  const markRead = (psession: string, items: unknown, headers: Record<string, string> = {}) =>
    call("/api/chat-list/read", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `psession=${psession}`, ...headers },
      body: JSON.stringify({ items }),
    });
  return { call, unread, markRead, history };
}

describe("read markers on Workers, through the identity's Durable Object", () => {
  it("count others' messages, share marks across devices, keep users apart, refuse what they must", async () => {
    const { unread, markRead, history } = await deployed();
    expect(await unread("ana-phone")).toBe(0);
    expect(await unread("bo")).toBe(0);
    history.push(
      portalMessage(2, 3),
      portalMessage(3, 1),
      portalMessage(4, null, "system"),
      portalMessage(5, 3),
    );
    expect(await unread("ana-desktop")).toBe(1);
    expect(await unread("bo")).toBe(3);

    const foreign = await markRead("ana-phone", [{ id: "gc-10" }, { id: "gc-20" }]);
    expect(foreign.status).toBe(404);
    const form = await markRead("ana-phone", [{ id: "gc-10" }], { "content-type": "text/plain" });
    expect(form.status).toBe(415);
    const page = await markRead("ana-phone", [{ id: "gc-10" }], { origin: "https://evil.example" });
    expect(page.status).toBe(403);
    expect(await unread("ana-desktop")).toBe(1);

    const marked = await markRead("ana-phone", [{ id: "gc-10", up_to: portalMessage(5, 3).id }]);
    expect(await marked.json()).toEqual({
      items: [{ id: "gc-10", unread_count: 0, last_read: portalMessage(5, 3).id }],
    });
    expect(await unread("ana-desktop")).toBe(0);
    expect(await unread("bo")).toBe(3);
    const stale = await markRead("ana-desktop", [{ id: "gc-10", up_to: portalMessage(3, 1).id }]);
    const after = (await stale.json()) as { items: { last_read: string }[] };
    expect(after.items[0]?.last_read).toBe(portalMessage(5, 3).id);
  });

  it("serve a stream from the object: a snapshot, then a patch when a mark is made elsewhere", async () => {
    const { call, markRead, history } = await deployed();
    await call("/api/chat-list", { headers: { cookie: "psession=bo" } });
    history.push(portalMessage(2, 3));
    const stream = await call("/api/chat-list/stream", { headers: { cookie: "psession=bo" } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const events = sseReader(stream);
    try {
      const snapshot = await events.next("snapshot");
      expect(JSON.parse(snapshot?.data ?? "{}").items[0]).toMatchObject({
        id: "gc-10",
        unread_count: 1,
      });
      // The mark goes through this isolate's store to the object, which patches its stream.
      expect((await markRead("bo", [{ id: "gc-10" }])).status).toBe(200);
      const patch = await events.next("patch");
      expect(JSON.parse(patch?.data ?? "{}").upsert).toEqual([
        expect.objectContaining({ id: "gc-10", unread_count: 0 }),
      ]);
    } finally {
      await events.stop();
    }
  });
});

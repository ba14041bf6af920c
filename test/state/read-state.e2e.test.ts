import { describe, expect, it } from "vitest";
import { portalMessage, startFakePortal, uncachedPortalConfig } from "../support/fake-portal.js";
import { useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

const portal = () => startFakePortal(upstream);
const message = portalMessage;
const config = (url: string) => uncachedPortalConfig(url);

type Item = { id: string; unread_count: number | null };

describe("read markers end to end (one gateway, a loopback portal)", () => {
  it("count others' messages, share marks across a user's devices, and keep users apart", async () => {
    const { server, history } = await portal();
    const gw = await gateway(config(server.url));
    const unread = async (psession: string, id = "gc-10") => {
      const body = (await (await gw.get("/api/chat-list", { psession })).json()) as {
        items: Item[];
      };
      return body.items.find((item) => item.id === id)?.unread_count;
    };
    const markRead = (psession: string, items: unknown, headers: Record<string, string> = {}) =>
      fetch(`${gw.url}/api/chat-list/read`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: `psession=${psession}`, ...headers },
        body: JSON.stringify({ items }),
      });

    // First sight: what was there before the gateway saw the chat is not unread.
    expect(await unread("ana-phone")).toBe(0);
    expect(await unread("bo")).toBe(0);
    // Cy writes, Ana answers (which reads what came before), the portal announces something,
    // Cy writes again.
    history.push(message(2, 3), message(3, 1), message(4, null, "system"), message(5, 3));
    expect(await unread("ana-phone")).toBe(1);
    expect(await unread("ana-desktop")).toBe(1);
    expect(await unread("bo")).toBe(3);

    // Refused, and nothing written: a chat Ana cannot see, a form post, a foreign page.
    const foreign = await markRead("ana-phone", [{ id: "gc-10" }, { id: "gc-20" }]);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ code: "not_found", ids: ["gc-20"] });
    const form = await fetch(`${gw.url}/api/chat-list/read`, {
      method: "POST",
      headers: { "content-type": "text/plain", cookie: "psession=ana-phone" },
      body: JSON.stringify({ items: [{ id: "gc-10" }] }),
    });
    expect(form.status).toBe(415);
    const page = await markRead("ana-phone", [{ id: "gc-10" }], { origin: "https://evil.example" });
    expect(page.status).toBe(403);
    expect(await unread("ana-desktop")).toBe(1);

    // Read on the phone: the desktop sees it at once; Bo's badge is his own.
    const marked = await markRead("ana-phone", [{ id: "gc-10", up_to: message(5, 3).id }]);
    expect(marked.status).toBe(200);
    expect(await marked.json()).toEqual({
      items: [{ id: "gc-10", unread_count: 0, last_read: message(5, 3).id }],
    });
    expect(await unread("ana-desktop")).toBe(0);
    expect(await unread("bo")).toBe(3);

    // Markers only move forward.
    const stale = await markRead("ana-desktop", [{ id: "gc-10", up_to: message(3, 3).id }]);
    expect(await stale.json()).toEqual({
      items: [{ id: "gc-10", unread_count: 0, last_read: message(5, 3).id }],
    });
  });

  it("changes the list's ETag when a marker moves, though the list was unchanged", async () => {
    const { server, history } = await portal();
    const gw = await gateway(config(server.url));
    await gw.get("/api/chat-list", { psession: "bo" });
    history.push(message(2, 3));
    const before = await gw.get("/api/chat-list", { psession: "bo" });
    const etag = before.headers.get("etag") as string;
    expect(
      (await gw.get("/api/chat-list", { psession: "bo", headers: { "if-none-match": etag } }))
        .status,
    ).toBe(304);
    await fetch(`${gw.url}/api/chat-list/read`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "psession=bo" },
      body: JSON.stringify({ items: [{ id: "gc-10" }] }),
    });
    const after = await gw.get("/api/chat-list", {
      psession: "bo",
      headers: { "if-none-match": etag },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
  });

  it("refuses items without read state with 400 not_readable, and a bad up_to with 400", async () => {
    const { server } = await portal();
    const registry = await upstream({
      "/executors": {
        json: [{ type: "CODEX", is_available: true, session_count: 0, last_active: null }],
      },
    });
    const gw = await gateway({
      ...config(server.url),
      sources: [
        ...config(server.url).sources,
        { kind: "executor_registry", name: "executors", baseUrl: registry.url },
      ],
    });
    const post = (items: unknown) =>
      fetch(`${gw.url}/api/chat-list/read`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: "psession=bo" },
        body: JSON.stringify({ items }),
      });
    const executor = await post([{ id: "CODEX" }]);
    expect(executor.status).toBe(400);
    expect(await executor.json()).toMatchObject({ code: "not_readable", ids: ["CODEX"] });
    const bad = await post([{ id: "gc-10", up_to: "yesterday" }]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_body", ids: ["gc-10"] });
    expect((await post([])).status).toBe(400);
    const tooMany = Array.from({ length: 101 }, () => ({ id: "gc-10" }));
    expect((await post(tooMany)).status).toBe(400);
    const huge = await fetch(`${gw.url}/api/chat-list/read`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "psession=bo" },
      body: JSON.stringify({ items: [{ id: "gc-10" }], pad: "x".repeat(17 * 1024) }),
    });
    expect(huge.status).toBe(413);
    const notJson = await fetch(`${gw.url}/api/chat-list/read`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "psession=bo" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: "invalid_body" });
  });
});

describe("the read-marker cache", () => {
  it("keeps a mark made while an older read of the same markers was on its way", async () => {
    const { createMemoryReadMarkerStore } = await import("../../src/state/memory-store.js");
    const { createReadState } = await import("../../src/state/read-state.js");
    const { silentLogger } = await import("../../src/core/logger.js");
    const store = createMemoryReadMarkerStore();
    let release: () => void = () => {};
    let slow = false;
    const slowStore = {
      ...store,
      subscribe: store.subscribe,
      async read(identity: string, ids: readonly string[]) {
        const answer = await store.read(identity, ids);
        if (slow) await new Promise<void>((resolve) => (release = resolve));
        return answer;
      },
    };
    const clock = { now: () => 0 };
    const state = createReadState({ store: slowStore, clock, logger: silentLogger });
    const unread = new Map([
      ["gc-1", { kind: "viben" as const, seenMs: null, countedMs: [1, 2, 3] }],
    ]);
    slow = true;
    const snapshot = state.snapshot([{ identity: "local", unread }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await state.markRead("local", [{ itemId: "gc-1", position: { ms: 3, seq: 0 } }]);
    release();
    await snapshot;
    slow = false;
    const after = await state.snapshot([{ identity: "local", unread }]);
    expect(after.markersOf("local")?.get("gc-1")).toEqual({ ms: 3, seq: 0 });
  });
});

describe("POST /read at the edges (issue 22)", () => {
  const post = (url: string, psession: string, items: unknown) =>
    fetch(`${url}/api/chat-list/read`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `psession=${psession}` },
      body: JSON.stringify({ items }),
    });

  it("sets first sight before marking when it comes before the caller's first list", async () => {
    const { server, history } = await portal();
    // A backlog from Cy before Ana ever used the gateway.
    history.push(message(2, 3), message(3, 3), message(4, 3), message(5, 3));
    const gw = await gateway(config(server.url));
    // Her first call marks up to an older message (another device's last position).
    const marked = await post(gw.url, "ana-phone", [{ id: "gc-10", up_to: message(2, 3).id }]);
    expect(marked.status).toBe(200);
    expect(await marked.json()).toEqual({
      items: [{ id: "gc-10", unread_count: 0, last_read: message(5, 3).id }],
    });
    const list = (await (await gw.get("/api/chat-list", { psession: "ana-desktop" })).json()) as {
      items: Item[];
    };
    expect(list.items.find((item) => item.id === "gc-10")?.unread_count).toBe(0);
  });

  it("answers 503 source_unavailable, not 404, for a chat whose source is failing", async () => {
    const { server } = await portal();
    const gw = await gateway(config(server.url));
    expect((await gw.get("/api/chat-list", { psession: "bo" })).status).toBe(200);
    server.route({ "/v1/portal/chats": { status: 500, json: { detail: "down" } } });
    const refused = await post(gw.url, "bo", [{ id: "gc-10" }]);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({
      code: "source_unavailable",
      ids: ["gc-10"],
      sources: ["portal"],
    });
    // An id no chat source could hold is still not in the list.
    const executor = await post(gw.url, "bo", [{ id: "CODEX" }]);
    expect(executor.status).toBe(404);
    expect(await executor.json()).toMatchObject({ code: "not_found", ids: ["CODEX"] });
  });
});

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { createMemoryReadMarkerStore } from "../../src/state/memory-store.js";
import { type ReadMarkerStore, StoreUnavailableError } from "../../src/state/read-marker-store.js";
import { agentTexts, writeGroupChats } from "../local/viben-format.js";
import { portalMessage, startFakePortal } from "../support/fake-portal.js";
import { tempTree } from "../support/home-fixture.js";
import { useResources } from "../support/resources.js";

const { upstream } = useResources();

/** A home with one global Viben chat: the user last looked at 9:59:30, two agent replies after. */
function homeWithChat() {
  const home = tempTree();
  const chat = {
    id: "project-chat",
    format: "json" as const,
    config: { id: "project-chat", name: "Project", createdAt: "2026-03-01T00:00:00Z" },
    members: [
      {
        id: "m1",
        type: "human",
        refId: "u1",
        displayName: "Ana",
        joinedAt: "2026-03-01T00:00:00Z",
        lastSeenAt: "2026-03-10T09:59:30Z",
      },
      {
        id: "m2",
        type: "agent",
        refId: "reviewer",
        displayName: "Reviewer",
        joinedAt: "2026-03-01T00:00:00Z",
      },
    ],
    sessions: [
      {
        id: "s1",
        config: { status: "active", createdAt: "2026-03-10T09:00:00Z" },
        messages: agentTexts(3, "2026-03-10T09:59:00Z"),
      },
    ],
  };
  writeGroupChats(home, [chat]);
  return { home, chat };
}

function appFor(home: string) {
  const app = createApp({
    config: parseConfig({
      sources: [{ kind: "local_group_chats", name: "local-group-chats", home }],
      cache: { ttlMs: 0, staleIfErrorMs: 0 },
    }),
    fetch: () => Promise.reject(new Error("no upstream")),
    local: createLocalSourceFactory({ fs: nodeFs, home, pathDirs: [] }),
  });
  const unread = async () => {
    const body = (await (await app.request("/api/chat-list")).json()) as {
      items: { id: string; unread_count: number | null }[];
    };
    return body.items.find((item) => item.id === "gc-project-chat")?.unread_count;
  };
  const markRead = (items: unknown) =>
    app.request("/api/chat-list/read", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items }),
    });
  return { unread, markRead };
}

describe("read markers on Viben group chats", () => {
  it("count from the later of lastSeenAt and the gateway's marker", async () => {
    const { home } = homeWithChat();
    const { unread, markRead } = appFor(home.root);
    expect(await unread()).toBe(2);

    // A marker older than lastSeenAt changes nothing shown.
    const old = await markRead([{ id: "gc-project-chat", up_to: "2026-03-10T09:00:00Z" }]);
    expect(await old.json()).toEqual({
      items: [{ id: "gc-project-chat", unread_count: 2, last_read: "2026-03-10T09:00:00.000Z" }],
    });
    const one = await markRead([{ id: "gc-project-chat", up_to: "2026-03-10T10:00:30Z" }]);
    expect((await one.json()).items[0].unread_count).toBe(1);
    expect(await unread()).toBe(1);
    const all = await markRead([{ id: "gc-project-chat" }]);
    expect(await all.json()).toEqual({
      items: [{ id: "gc-project-chat", unread_count: 0, last_read: "2026-03-10T10:01:00.000Z" }],
    });
    expect(await unread()).toBe(0);
  });
});

describe("POST /read naming a portal chat and a Viben chat (two identities)", () => {
  /** A memory store that goes down after its first write, as a server can between two. */
  function storeDownAfterOneWrite(): ReadMarkerStore {
    const store = createMemoryReadMarkerStore();
    let writes = 0;
    const down = () => new StoreUnavailableError("memory", "went down mid-request");
    return {
      ...store,
      kind: store.kind,
      durable: store.durable,
      async advance(identity, entries) {
        if (++writes > 1) throw down();
        return store.advance(identity, entries);
      },
      async advanceAll(batches) {
        if (++writes > 1) throw down();
        return (store.advanceAll as NonNullable<ReadMarkerStore["advanceAll"]>)(batches);
      },
    };
  }

  async function twoIdentityApp(readMarkers: ReadMarkerStore) {
    const { home } = homeWithChat();
    const { server, history } = await startFakePortal(upstream);
    const app = createApp({
      config: parseConfig({
        sources: [
          { kind: "portal", name: "portal", baseUrl: server.url, history: { ttlMs: 0 } },
          { kind: "local_group_chats", name: "local-group-chats", home: home.root },
        ],
        cache: { ttlMs: 0, staleIfErrorMs: 0 },
      }),
      fetch: (url, init) => fetch(url, init),
      local: createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }),
      readMarkers,
    });
    const cookie = "psession=ana-phone";
    const unread = async () => {
      const body = (await (
        await app.request("/api/chat-list", { headers: { cookie } })
      ).json()) as {
        items: { id: string; unread_count: number | null }[];
      };
      return Object.fromEntries(body.items.map((item) => [item.id, item.unread_count]));
    };
    const markBoth = () =>
      app.request("/api/chat-list/read", {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: JSON.stringify({ items: [{ id: "gc-10" }, { id: "gc-project-chat" }] }),
      });
    return { history, unread, markBoth };
  }

  it("writes both markers or neither, never one of them", async () => {
    const { history, unread, markBoth } = await twoIdentityApp(storeDownAfterOneWrite());
    // First sight of the portal chat (one write: its first-sight marker), then Cy writes.
    expect(await unread()).toEqual({ "gc-10": 0, "gc-project-chat": 2 });
    history.push(portalMessage(2, 3));
    expect(await unread()).toEqual({ "gc-10": 1, "gc-project-chat": 2 });

    const response = await markBoth();
    const after = await unread();
    // All or nothing: the store took one write, so a request writing both identities in one
    // transaction succeeds; one that wrote them one after the other would leave gc-10 read
    // and gc-project-chat not (and answer 503).
    expect({ status: response.status, after }).toEqual({
      status: 200,
      after: { "gc-10": 0, "gc-project-chat": 0 },
    });
  });

  it("is refused whole, writing nothing, by a store that keeps each user's markers apart", async () => {
    // As the Durable Object backend: one object per identity, no transaction across them.
    const { advanceAll: _, ...apart } = createMemoryReadMarkerStore();
    const { history, unread, markBoth } = await twoIdentityApp(apart);
    await unread();
    history.push(portalMessage(2, 3));
    const response = await markBoth();
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: "invalid_body",
      ids: ["gc-10", "gc-project-chat"],
    });
    expect(await unread()).toEqual({ "gc-10": 1, "gc-project-chat": 2 });
  });
});

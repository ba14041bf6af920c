import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { agentTexts, writeGroupChats } from "../local/viben-format.js";
import { tempTree } from "../support/home-fixture.js";

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

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { buildGroupChatHome } from "../local/group-chat-home.js";
import { vibenApiRoutes } from "../local/viben-format.js";
import type { FakeUpstream, RecordedCall, Route } from "../support/fake-upstream.js";
import { useResources } from "../support/resources.js";

// DESIGN §7, `group_chat_store`: the whole gateway against a loopback store.

const resources = useResources();
const WORKSPACE = "/home/ana/proj";

type Item = Record<string, unknown> & { id: string };
type Body = { items: Item[]; sources: { status: string; error: string | null }[] };

async function listFrom(store: FakeUpstream, query = `?workspace_path=${WORKSPACE}`, extra = {}) {
  const gateway = await resources.gateway({
    sources: [{ kind: "group_chat_store", name: "chats", baseUrl: store.url, ...extra }],
  });
  const response = await gateway.get(`/api/chat-list${query}`);
  return (await response.json()) as Body;
}

const chat = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  name: `Chat ${id}`,
  workspace_path: WORKSPACE,
  member_count: 2,
  session_count: 1,
  updated_at: "2026-04-01T00:00:00Z",
  ...fields,
});
const byId = (body: Body, id: string) => body.items.find((item) => item.id === id);

describe("group chat store", () => {
  it("gives the same items as the local source for the same chats, Viben-shaped without counts", async () => {
    const { home, alpha, chats } = buildGroupChatHome();
    const store = await resources.upstream(vibenApiRoutes(chats, home.root));
    const local = createApp({
      config: parseConfig({
        sources: [{ kind: "local_group_chats", name: "chats", home: home.root }],
      }),
      fetch: () => Promise.reject(new Error("no upstream")),
      local: createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }),
    });
    const withoutUnread = ({ unread_count: _, ...item }: Item) => item;
    for (const query of [
      `?workspace_path=${alpha}`,
      "",
      `?workspace_path=${alpha}&include_global=false`,
    ]) {
      const fromDisk = (await (await local.request(`/api/chat-list${query}`)).json()) as Body;
      const fromStore = await listFrom(store, query);
      expect(fromStore.items.map(withoutUnread)).toEqual(fromDisk.items.map(withoutUnread));
      // Viben's list says nothing of unread messages: the store's items say null.
      expect(fromStore.items.every((item) => item.unread_count === null)).toBe(true);
    }
    // Per query one list call; per shown chat (the shadowed global "shared" is not asked) one
    // members call and one sessions call: 6 (globals and alpha's), 4 (globals), 3 (alpha's).
    expect(store.callsTo("/group-chats")).toHaveLength(3);
    const lookups = store.calls.filter((call) => call.path !== "/group-chats");
    expect(lookups.filter((call) => call.path.endsWith("/members"))).toHaveLength(13);
    expect(lookups.filter((call) => call.path.endsWith("/sessions"))).toHaveLength(13);
    expect(store.callsTo("/group-chats/shared/sessions").map((call) => call.query)).toEqual([
      { workspace_path: alpha },
      {},
      { workspace_path: alpha },
    ]);
  });

  it("asks nothing more for a chat listed with its member and session counts", async () => {
    const store = await resources.upstream({
      "/group-chats": { json: [chat("a", { unread_count: 4, last_message_at: 1775000000 })] },
    });
    const body = await listFrom(store);
    expect(body.items).toEqual([
      {
        id: "gc-a",
        type: "group_chat",
        item_type: "group_chat",
        name: "Chat a",
        description: null,
        last_active: "2026-03-31T23:33:20.000Z",
        source: "workspace",
        source_name: "chats",
        member_count: 2,
        session_count: 1,
        unread_count: 4,
        workspace_path: WORKSPACE,
        is_global: false,
      },
    ]);
    expect(store.calls.map((call) => call.path)).toEqual(["/group-chats"]);
    expect(store.calls[0]?.query).toEqual({ workspace_path: WORKSPACE, include_global: "true" });
  });

  it("treats a chat without is_global as global when it names no workspace or Viben's own folder", async () => {
    const store = await resources.upstream({
      "/group-chats": {
        json: {
          group_chats: [
            chat("none", { workspace_path: null }),
            chat("empty", { workspace_path: "" }),
            chat("folder", { workspace_path: "/home/ana/.viben/" }),
            chat("explicit", { workspace_path: "/home/ana/.viben", is_global: false }),
          ],
        },
      },
    });
    const body = await listFrom(store, "?workspace_path=/home/ana/.viben");
    expect(body.items.map((item) => [item.id, item.is_global, item.workspace_path])).toEqual([
      ["gc-empty", true, null],
      ["gc-explicit", false, "/home/ana/.viben"],
      ["gc-folder", true, null],
      ["gc-none", true, null],
    ]);
  });

  it("drops chats of another workspace, and global chats without include_global", async () => {
    const store = await resources.upstream({
      "/group-chats": {
        json: [
          chat("mine"),
          chat("theirs", { workspace_path: "/home/bob/other" }),
          chat("global", { is_global: true, workspace_path: null }),
        ],
      },
    });
    expect((await listFrom(store)).items.map((item) => item.id).sort()).toEqual([
      "gc-global",
      "gc-mine",
    ]);
    const workspaceOnly = await listFrom(
      store,
      `?workspace_path=${WORKSPACE}&include_global=false`,
    );
    expect(workspaceOnly.items.map((item) => item.id)).toEqual(["gc-mine"]);
  });

  it("dates a chat by last_message_at, else last_active, else its sessions, else updated_at", async () => {
    const sessions = { json: { sessions: [{ id: "s", updated_at: "2026-04-03T00:00:00Z" }] } };
    const store = await resources.upstream({
      "/group-chats": {
        json: [
          chat("m", { lastMessageAt: "2026-04-05T00:00:00Z", last_active: "2026-04-04T00:00:00Z" }),
          chat("l", { lastActive: "2026-04-04T00:00:00Z" }),
          chat("s", { session_count: undefined }),
          chat("u"),
        ],
      },
      "/group-chats/s/sessions": sessions,
    });
    const body = await listFrom(store);
    expect(body.items.map((item) => [item.id, item.last_active])).toEqual([
      ["gc-m", "2026-04-05T00:00:00.000Z"],
      ["gc-l", "2026-04-04T00:00:00.000Z"],
      ["gc-s", "2026-04-03T00:00:00.000Z"],
      ["gc-u", "2026-04-01T00:00:00.000Z"],
    ]);
  });

  it("keeps a chat with null counts when its members or sessions look-up fails", async () => {
    const store = await resources.upstream({
      "/group-chats": {
        json: { groupChats: [chat("a", { member_count: undefined, session_count: undefined })] },
      },
      "/group-chats/a/members": { status: 500 },
      "/group-chats/a/sessions": { body: "not json" },
    });
    const body = await listFrom(store);
    expect(byId(body, "gc-a")).toMatchObject({ member_count: null, session_count: null });
    expect(body.sources[0]?.status).toBe("ok");
  });

  it("drops a malformed chat and keeps the others", async () => {
    const store = await resources.upstream({
      "/group-chats": {
        json: [chat("good"), { name: "no id" }, chat("bad", { is_global: "yes" })],
      },
    });
    const gateway = await resources.gateway({
      sources: [{ kind: "group_chat_store", name: "chats", baseUrl: store.url }],
    });
    const body = (await (
      await gateway.get(`/api/chat-list?workspace_path=${WORKSPACE}`)
    ).json()) as Body;
    expect(body.items.map((item) => item.id)).toEqual(["gc-good"]);
    const request = gateway.logs.find((event) => event.event === "request") as {
      sources: { dropped: number }[];
    };
    expect(request.sources[0]?.dropped).toBe(2);
  });

  it("fails the source on a body of the wrong shape", async () => {
    const store = await resources.upstream({ "/group-chats": { json: { chats: [] } } });
    const body = await listFrom(store);
    expect(body.sources[0]).toMatchObject({
      status: "error",
      error: expect.stringMatching(/expected a list of group_chats/),
    });
  });

  it("keeps members and sessions look-ups within sessionConcurrency", async () => {
    let inFlight = 0;
    let most = 0;
    const slow: Route = async (call: RecordedCall) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return { json: call.path.endsWith("/members") ? { members: [{}] } : { sessions: [] } };
    };
    const ids = ["a", "b", "c", "d", "e"];
    const routes: Record<string, Route> = {
      "/group-chats": {
        json: ids.map((id) => chat(id, { member_count: undefined, session_count: undefined })),
      },
    };
    for (const id of ids) {
      routes[`/group-chats/${id}/members`] = slow;
      routes[`/group-chats/${id}/sessions`] = slow;
    }
    const store = await resources.upstream(routes);
    const body = await listFrom(store, `?workspace_path=${WORKSPACE}`, { sessionConcurrency: 3 });
    expect(body.items.map((item) => [item.member_count, item.session_count])).toEqual(
      ids.map(() => [1, 0]),
    );
    expect(store.calls).toHaveLength(11);
    expect(most).toBe(3);
  });
});

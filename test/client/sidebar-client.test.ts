import { describe, expect, it } from "vitest";
import {
  createGroupChat,
  loadSidebar,
  markRead,
  revalidate,
  sendMessage,
  WriteRefused,
} from "../../examples/sidebar-client.js";
import { startFakePortal } from "../support/fake-portal.js";
import { agentsReply, configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

describe("examples/sidebar-client.ts against a running gateway", () => {
  it("pages through the whole list and revalidates with the ETag", async () => {
    const registry = await upstream({ "/executors": executorsReply("A", "B", "C", "D", "E") });
    const store = await upstream({ "/agents": agentsReply("x", "y", "z") });
    const gw = await gateway(
      configFor({ registry, store }, { cache: { ttlMs: 0, staleIfErrorMs: 0 } }),
    );

    const sidebar = await loadSidebar(gw.url, { pageSize: 3, workspacePath: "/w" });
    expect(sidebar.items.map((item) => item.id)).toEqual(["A", "B", "C", "D", "E", "x", "y", "z"]);
    expect(sidebar.counts).toEqual({ group_chats: 0, executors: 5, agents: 3 });
    // The typed client knows `source` as Viben's scope, and `source_name` as the configured source.
    const scopes: Array<"global" | "workspace"> = sidebar.items.map((item) => item.source);
    expect(new Set(scopes)).toEqual(new Set(["global"]));
    expect(sidebar.items.map((item) => item.source_name)).toEqual([
      ...Array(5).fill("executors"),
      ...Array(3).fill("agents"),
    ]);
    expect(sidebar.etag).toMatch(/^W\//);

    expect(
      await revalidate(gw.url, sidebar.etag as string, { pageSize: 3, workspacePath: "/w" }),
    ).toBeNull();
    registry.route({ "/executors": executorsReply("A", "B", "C", "D", "E", "F") });
    const changed = await revalidate(gw.url, sidebar.etag as string, {
      pageSize: 3,
      workspacePath: "/w",
    });
    expect(changed?.page.counts.executors).toBe(6);
    expect(changed?.etag).not.toBe(sidebar.etag);
  });

  it("marks a portal chat read and sees its badge drop to 0", async () => {
    const history = [{ id: "1710000000000-0", sender: { id: 2 }, type: "user" }];
    const portal = await upstream({
      "/v1/users/me": { json: { id: 1 } },
      "/v1/portal/chats": { json: [{ id: 5, chat_type: "group", name: "team" }] },
      "/v1/portal/chats/5/history": () => ({ json: history }),
    });
    const gw = await gateway({
      sources: [{ kind: "portal", name: "portal", baseUrl: portal.url, history: { ttlMs: 0 } }],
      cache: { ttlMs: 0, staleIfErrorMs: 0 },
    });
    const options = { psession: "s1" };
    await loadSidebar(gw.url, options);
    history.push({ id: "1710000000001-0", sender: { id: 2 }, type: "user" });
    const before = await loadSidebar(gw.url, options);
    expect(before.items[0]).toMatchObject({ id: "gc-5", unread_count: 1 });
    expect(await markRead(gw.url, [{ id: "gc-5" }], options)).toEqual([
      { id: "gc-5", unread_count: 0, last_read: "1710000000001-0" },
    ]);
    expect((await loadSidebar(gw.url, options)).items[0]).toMatchObject({ unread_count: 0 });
  });
});

describe("examples/sidebar-client.ts writes", () => {
  it("creates a chat and sends a message through the typed client, a retry with the same key answered as the first", async () => {
    const portal = await startFakePortal(upstream);
    const gw = await gateway({
      sources: [{ kind: "portal", name: "portal", baseUrl: portal.server.url }],
    });
    const options = { psession: "bo" };
    const item = await createGroupChat(
      gw.url,
      { name: "launch", description: "d" },
      { ...options, idempotencyKey: "c-1" },
    );
    expect(item).toMatchObject({ id: "gc-100", name: "launch", unread_count: 0 });
    // The typed client knows the answer's shape.
    const chatType: "group" | "direct" | "secret" | undefined = item.chat_type;
    expect(chatType).toBe("group");
    expect(
      await createGroupChat(
        gw.url,
        { name: "launch", description: "d" },
        { ...options, idempotencyKey: "c-1" },
      ),
    ).toEqual(item);
    const content = JSON.stringify({ v: 2, epoch: 1, ct: "c2FtcGxl" });
    const sent = await sendMessage(gw.url, "gc-100", content, {
      ...options,
      idempotencyKey: "m-1",
    });
    expect(sent.id).toMatch(/^\d+-\d+$/);
    expect(sent.item).toMatchObject({ id: "gc-100", unread_count: 0 });
    expect(portal.writes()).toHaveLength(2);
    const refused = await sendMessage(gw.url, "gc-100", "plain text", options).catch(
      (error) => error,
    );
    expect(refused).toBeInstanceOf(WriteRefused);
    expect(refused).toMatchObject({ status: 422, code: "invalid_content" });
  });
});

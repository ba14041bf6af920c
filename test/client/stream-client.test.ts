import { describe, expect, it } from "vitest";
import { createLiveList, followList, type LiveListView } from "../../examples/stream-client.js";
import type { ChatListItem } from "../../src/core/items.js";
import { configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

describe("examples/stream-client.ts", () => {
  it("applies patches and sorts with the list's order", () => {
    const live = createLiveList();
    const agent = (id: string, last_active: string | null): ChatListItem => ({
      id,
      type: "agent",
      item_type: "agent",
      name: id,
      description: null,
      last_active,
      source: "global",
      source_name: "s",
      model: null,
      provider: null,
      session_count: 0,
      workspace_path: null,
      is_global: true,
    });
    const counts = { group_chats: 0, executors: 0, agents: 2 };
    live.snapshot({
      items: [agent("a", "2026-01-02T00:00:00.000Z"), agent("b", null)],
      counts,
      sources: [],
      complete: true,
      workspace_path: null,
      next_cursor: null,
    });
    const view = live.patch({
      upsert: [agent("b", "2026-01-03T00:00:00.000Z"), agent("c", null)],
      remove: ["a"],
      counts: { ...counts, agents: 2 },
      sources: [],
      complete: false,
    });
    expect(view.items.map((item) => item.id)).toEqual(["b", "c"]);
    expect(view.complete).toBe(false);
  });

  it("follows a running gateway: the list it holds equals the list after a change", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const gw = await gateway(
      configFor({ registry }, { cache: { ttlMs: 300 }, live: { refreshMs: 300 } }),
    );
    const controller = new AbortController();
    const views: LiveListView[] = [];
    const following = followList(gw.url, (view) => views.push(view), { signal: controller.signal });
    try {
      await expect.poll(() => views.length, { timeout: 3000 }).toBe(1);
      registry.route({ "/executors": executorsReply("CODEX", "GEMINI") });
      await expect.poll(() => views.length, { timeout: 3000 }).toBe(2);
      const list = await (await gw.get("/api/chat-list")).json();
      expect(views[1]?.items).toEqual(list.items);
      expect(views[1]?.counts).toEqual(list.counts);
    } finally {
      controller.abort();
      await following;
    }
  });
});

import { describe, expect, it } from "vitest";
import {
  type AgentItem,
  type ChatListItem,
  type ExecutorItem,
  type GroupChatItem,
  scopeOf,
} from "../../src/core/items.js";
import { assembleList, countItems, mergeExecutor, mergeItems } from "../../src/core/merge.js";

function executor(fields: Partial<ExecutorItem> = {}): ExecutorItem {
  return {
    id: "CODEX",
    type: "executor",
    item_type: "executor",
    icon_type: fields.id ?? "CODEX",
    name: "Codex",
    description: null,
    last_active: null,
    source: "global",
    source_name: "registry-a",
    is_available: false,
    supports_mcp: false,
    session_count: null,
    ...fields,
  };
}

function agent(fields: Partial<AgentItem> = {}): AgentItem {
  return {
    id: "reviewer",
    type: "agent",
    item_type: "agent",
    name: "Reviewer",
    description: null,
    last_active: null,
    source: scopeOf(fields.is_global ?? true),
    source_name: "store",
    model: null,
    provider: null,
    session_count: null,
    workspace_path: null,
    is_global: true,
    ...fields,
  };
}

function groupChat(fields: Partial<GroupChatItem> = {}): GroupChatItem {
  return {
    id: "gc-1",
    type: "group_chat",
    item_type: "group_chat",
    name: "general",
    description: null,
    last_active: null,
    source: scopeOf(fields.is_global ?? true),
    source_name: "portal",
    member_count: null,
    session_count: null,
    unread_count: null,
    workspace_path: null,
    is_global: true,
    ...fields,
  };
}

const OLDER = "2024-03-10T12:00:00.000Z";
const NEWER = "2024-03-11T09:00:00.000Z";

describe("merging one executor reported by two registries", () => {
  it("yields a single item for the shared id", () => {
    const { items } = mergeItems([
      [executor({ source_name: "a" })],
      [executor({ source_name: "b" })],
    ]);
    expect(items).toHaveLength(1);
  });

  it.each([
    [false, false, false],
    [true, false, true],
    [false, true, true],
    [true, true, true],
  ])("is available when first=%s and later=%s: %s", (first, later, expected) => {
    const merged = mergeExecutor(
      executor({ is_available: first }),
      executor({ is_available: later }),
    );
    expect(merged.is_available).toBe(expected);
  });

  it.each([
    [false, false, false],
    [true, false, true],
    [false, true, true],
    [true, true, true],
  ])("supports MCP when first=%s and later=%s: %s", (first, later, expected) => {
    const merged = mergeExecutor(
      executor({ supports_mcp: first }),
      executor({ supports_mcp: later }),
    );
    expect(merged.supports_mcp).toBe(expected);
  });

  it.each([
    [2, 3, 5],
    [0, 4, 4],
    [null, 4, 4],
    [4, null, 4],
    [null, null, null],
  ])("sums session counts %s and %s into %s", (first, later, expected) => {
    const merged = mergeExecutor(
      executor({ session_count: first }),
      executor({ session_count: later }),
    );
    expect(merged.session_count).toBe(expected);
  });

  it.each([
    [OLDER, NEWER, NEWER],
    [NEWER, OLDER, NEWER],
    [null, OLDER, OLDER],
    [OLDER, null, OLDER],
    [null, null, null],
  ])("keeps the newest last_active of %s and %s: %s", (first, later, expected) => {
    const merged = mergeExecutor(
      executor({ last_active: first }),
      executor({ last_active: later }),
    );
    expect(merged.last_active).toBe(expected);
  });

  it("takes name, description and source_name from the first source in config order", () => {
    const { items } = mergeItems([
      [executor({ name: "Codex", description: "first", source_name: "registry-a" })],
      [executor({ name: "OpenAI Codex", description: "second", source_name: "registry-b" })],
    ]);
    expect(items[0]).toMatchObject({
      name: "Codex",
      description: "first",
      source: "global",
      source_name: "registry-a",
    });
  });

  it("keeps the first source's null description rather than a later one's text", () => {
    const { items } = mergeItems([
      [executor({ description: null, source_name: "registry-a" })],
      [executor({ description: "from b", source_name: "registry-b" })],
    ]);
    expect(items[0]?.description).toBeNull();
  });

  it("combines three registries: sessions summed across all of them, newest activity kept", () => {
    const { items } = mergeItems([
      [executor({ session_count: 1, last_active: OLDER, source_name: "a" })],
      [executor({ session_count: null, last_active: NEWER, is_available: true, source_name: "b" })],
      [executor({ session_count: 6, last_active: null, supports_mcp: true, source_name: "c" })],
    ]);
    expect(items).toEqual([
      executor({
        session_count: 7,
        last_active: NEWER,
        is_available: true,
        supports_mcp: true,
        source_name: "a",
      }),
    ]);
  });
});

describe("merging agents", () => {
  const global = agent({ is_global: true, workspace_path: null, source_name: "global-store" });
  const local = agent({
    is_global: false,
    workspace_path: "/home/ana/proj",
    source_name: "workspace-store",
    session_count: 3,
  });

  it("lets a workspace agent shadow a global agent with the same id reported earlier", () => {
    const { items } = mergeItems([[global], [local]]);
    expect(items).toEqual([local]);
  });

  it("lets a workspace agent shadow a global agent with the same id reported later", () => {
    const { items } = mergeItems([[local], [global]]);
    expect(items).toEqual([local]);
  });

  it("shadows within one source's list too", () => {
    const { items } = mergeItems([[global, local]]);
    expect(items).toEqual([local]);
  });

  it("does not count shadowing as an id collision", () => {
    const { collisions } = mergeItems([[global], [local]]);
    expect(collisions).toEqual([]);
  });

  it("keeps agents with different ids side by side", () => {
    const { items } = mergeItems([[global], [agent({ id: "writer", is_global: false })]]);
    expect(items.map((entry) => entry.id).sort()).toEqual(["reviewer", "writer"]);
  });
});

describe("merging group chats", () => {
  it("keeps the first of two group chats with the same id", () => {
    const first = groupChat({ name: "from portal a", source_name: "portal-a" });
    const second = groupChat({ name: "from portal b", source_name: "portal-b" });
    expect(mergeItems([[first], [second]]).items).toEqual([first]);
  });
});

describe("id collisions across types", () => {
  it("drops a later item whose id an item of another type already took", () => {
    const first = executor({ id: "SHARED" });
    const { items } = mergeItems([[first], [agent({ id: "SHARED" })]]);
    expect(items).toEqual([first]);
  });

  it("ranks by type, not config order: an earlier agent cannot take an executor's or a chat's id", () => {
    const chat = groupChat({ id: "gc-1", source_name: "portal" });
    const codex = executor({ id: "CODEX", source_name: "registry" });
    const { items } = mergeItems([
      [agent({ id: "gc-1", source_name: "store" }), agent({ id: "CODEX", source_name: "store" })],
      [chat],
      [codex],
    ]);
    expect(items).toEqual([chat, codex]);
  });

  it("reports every dropped item by its source and the type that holds its id", () => {
    const { collisions } = mergeItems([
      [executor({ id: "X", source_name: "reg" }), groupChat({ id: "Y", source_name: "chats" })],
      [
        agent({ id: "X", source_name: "store" }),
        agent({ id: "Y", source_name: "store" }),
        agent({ id: "Z", source_name: "store" }),
      ],
      [groupChat({ id: "X", source_name: "more-chats" })],
    ]);
    // The chat X is placed before the executor X, whatever the config order.
    expect(collisions).toEqual([
      { sourceName: "reg", takenBy: "group_chat", count: 1 },
      { sourceName: "store", takenBy: "group_chat", count: 2 },
    ]);
  });

  it("keeps ids unique in the merged list", () => {
    const { items } = mergeItems([
      [executor({ id: "X" }), groupChat({ id: "Y" })],
      [agent({ id: "X" }), agent({ id: "Y" }), executor({ id: "X" })],
    ]);
    const allIds = items.map((entry) => entry.id);
    expect(new Set(allIds).size).toBe(allIds.length);
  });
});

describe("assembleList", () => {
  it("counts the merged, de-duplicated list, not the raw source lists", () => {
    const { counts } = assembleList([
      [executor({ id: "CODEX" }), executor({ id: "GEMINI" }), groupChat({ id: "gc-1" })],
      [executor({ id: "CODEX" }), agent({ id: "gc-1" }), agent({ id: "reviewer" })],
      [agent({ id: "reviewer", is_global: false }), agent({ id: "writer" })],
    ]);
    expect(counts).toEqual({ group_chats: 1, executors: 2, agents: 2 });
  });

  it("returns the merged items sorted", () => {
    const { items } = assembleList([
      [agent({ id: "a", last_active: null })],
      [executor({ id: "e", last_active: OLDER })],
      [groupChat({ id: "g", last_active: NEWER })],
    ]);
    expect(items.map((entry) => entry.id)).toEqual(["g", "e", "a"]);
  });

  it("counts an empty input as zero of everything", () => {
    expect(assembleList([]).counts).toEqual({ group_chats: 0, executors: 0, agents: 0 });
  });

  it("leaves the per-source lists unchanged", () => {
    const perSource: ChatListItem[][] = [
      [executor({ id: "CODEX", session_count: 1 }), agent({ id: "b", last_active: null })],
      [executor({ id: "CODEX", session_count: 2 }), groupChat({ id: "a", last_active: NEWER })],
    ];
    const before = structuredClone(perSource);
    assembleList(perSource);
    expect(perSource).toEqual(before);
  });
});

describe("countItems", () => {
  it("counts each type separately", () => {
    expect(
      countItems([
        groupChat({ id: "1" }),
        groupChat({ id: "2" }),
        executor({ id: "3" }),
        agent({ id: "4" }),
        agent({ id: "5" }),
        agent({ id: "6" }),
      ]),
    ).toEqual({ group_chats: 2, executors: 1, agents: 3 });
  });
});

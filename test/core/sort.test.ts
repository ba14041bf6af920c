import { describe, expect, it } from "vitest";
import type { ChatListItem, ItemType } from "../../src/core/items.js";
import { compareCodeUnits, sortItems } from "../../src/core/sort.js";

function item(type: ItemType, id: string, name: string, last_active: string | null): ChatListItem {
  const common = {
    id,
    name,
    description: null,
    last_active,
    source: "global" as const,
    source_name: "s",
  };
  if (type === "group_chat")
    return {
      ...common,
      type,
      item_type: type,
      member_count: null,
      session_count: null,
      unread_count: null,
      workspace_path: null,
      is_global: true,
    };
  if (type === "executor")
    return {
      ...common,
      type,
      item_type: type,
      icon_type: id,
      is_available: true,
      supports_mcp: false,
      session_count: null,
    };
  return {
    ...common,
    type,
    item_type: type,
    model: null,
    provider: null,
    session_count: null,
    workspace_path: null,
    is_global: true,
  };
}

const ids = (items: ChatListItem[]) => items.map((entry) => entry.id);

const T1 = "2024-03-10T12:00:00.000Z";
const T2 = "2024-03-11T08:30:00.000Z";
const T3 = "2025-01-01T00:00:00.000Z";

describe("sortItems", () => {
  it("puts the most recently active item first", () => {
    const sorted = sortItems([
      item("agent", "old", "x", T1),
      item("agent", "newest", "x", T3),
      item("agent", "middle", "x", T2),
    ]);
    expect(ids(sorted)).toEqual(["newest", "middle", "old"]);
  });

  it("puts items without last_active after every dated item, even one from 1970", () => {
    const sorted = sortItems([
      item("group_chat", "undated", "a", null),
      item("agent", "epoch", "z", "1970-01-01T00:00:00.000Z"),
      item("executor", "dated", "m", T1),
    ]);
    expect(ids(sorted)).toEqual(["dated", "epoch", "undated"]);
  });

  it("breaks a last_active tie by type: group_chat, then executor, then agent", () => {
    const sorted = sortItems([
      item("agent", "a1", "same", T1),
      item("executor", "e1", "same", T1),
      item("group_chat", "g1", "same", T1),
    ]);
    expect(ids(sorted)).toEqual(["g1", "e1", "a1"]);
  });

  it("breaks the type tie among undated items too", () => {
    const sorted = sortItems([
      item("agent", "a1", "aaa", null),
      item("group_chat", "g1", "zzz", null),
      item("executor", "e1", "mmm", null),
    ]);
    expect(ids(sorted)).toEqual(["g1", "e1", "a1"]);
  });

  it("orders type before name, so a group chat named 'z' precedes an agent named 'a'", () => {
    const sorted = sortItems([item("agent", "a1", "a", T1), item("group_chat", "g1", "z", T1)]);
    expect(ids(sorted)).toEqual(["g1", "a1"]);
  });

  it("compares names by UTF-16 code units, so 'Zed' precedes 'apple' (locale order would not)", () => {
    expect("apple".localeCompare("Zed", "en")).toBeLessThan(0);
    const sorted = sortItems([item("agent", "1", "apple", T1), item("agent", "2", "Zed", T1)]);
    expect(sorted.map((entry) => entry.name)).toEqual(["Zed", "apple"]);
  });

  it("compares names by code units, so 'zebra' precedes 'éclair' (locale order would not)", () => {
    expect("éclair".localeCompare("zebra", "en")).toBeLessThan(0);
    const sorted = sortItems([item("agent", "1", "éclair", T1), item("agent", "2", "zebra", T1)]);
    expect(sorted.map((entry) => entry.name)).toEqual(["zebra", "éclair"]);
  });

  it("compares names by code units, not code points: an emoji's surrogate sorts before U+FF5E", () => {
    const emoji = "\u{1F600}";
    const fullwidthTilde = "\uFF5E";
    const sorted = sortItems([
      item("agent", "1", fullwidthTilde, T1),
      item("agent", "2", emoji, T1),
    ]);
    expect(sorted.map((entry) => entry.name)).toEqual([emoji, fullwidthTilde]);
  });

  it("breaks a name tie by id in code-unit order ('item-10' before 'item-9', 'B' before 'a')", () => {
    const sorted = sortItems([
      item("executor", "item-9", "same", T1),
      item("executor", "a", "same", T1),
      item("executor", "item-10", "same", T1),
      item("executor", "B", "same", T1),
    ]);
    expect(ids(sorted)).toEqual(["B", "a", "item-10", "item-9"]);
  });

  it("gives the same order whatever order the items arrive in", () => {
    const items = [
      item("group_chat", "gc-1", "general", T2),
      item("group_chat", "gc-2", "General", T2),
      item("executor", "CODEX", "Codex", T2),
      item("executor", "CLAUDE_CODE", "Claude Code", null),
      item("agent", "reviewer", "Reviewer", T3),
      item("agent", "writer", "Writer", null),
      item("agent", "écrivain", "écrivain", T1),
      item("agent", "zeta", "zeta", T1),
      item("group_chat", "gc-3", "zeta", T1),
      item("executor", "GEMINI", "Gemini", null),
      item("agent", "dup-b", "dup", T1),
      item("agent", "dup-a", "dup", T1),
    ];
    const expected = [
      "reviewer",
      "gc-2",
      "gc-1",
      "CODEX",
      "gc-3",
      "dup-a",
      "dup-b",
      "zeta",
      "écrivain",
      "CLAUDE_CODE",
      "GEMINI",
      "writer",
    ];
    // A fixed-seed shuffle keeps the test reproducible.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const shuffled = (list: ChatListItem[]) => {
      const copy = [...list];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as ChatListItem, copy[i] as ChatListItem];
      }
      return copy;
    };
    const orders = [
      [...items],
      [...items].reverse(),
      [...items.slice(5), ...items.slice(0, 5)],
      shuffled(items),
      shuffled(items),
      shuffled(items),
    ];
    for (const order of orders) expect(ids(sortItems(order))).toEqual(expected);
  });
});

describe("compareCodeUnits", () => {
  it("orders an upper-case letter before any lower-case one", () => {
    expect(compareCodeUnits("Z", "a")).toBe(-1);
  });

  it("returns 0 only for identical strings", () => {
    expect(compareCodeUnits("e\u0301", "é")).not.toBe(0);
    expect(compareCodeUnits("same", "same")).toBe(0);
  });
});

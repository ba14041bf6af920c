import { describe, expect, it } from "vitest";
import type { GroupChatItem } from "../../src/core/items.js";
import type { PortalUnreadBasis } from "../../src/core/unread.js";
import { createRecentWrites } from "../../src/sources/portal/recent-writes.js";
import type { SourceLoad } from "../../src/sources/source.js";
import { manualClock } from "../support/gateway.js";

const chat = (id: string, lastActive: string | null): GroupChatItem => ({
  id,
  type: "group_chat",
  item_type: "group_chat",
  name: id,
  description: null,
  last_active: lastActive,
  source: "global",
  source_name: "portal",
  member_count: null,
  session_count: null,
  unread_count: null,
  workspace_path: null,
  is_global: true,
  upstream_id: id.slice(3),
});

const basis = (seqs: number[], sender = "3"): PortalUnreadBasis => ({
  kind: "portal",
  newest: seqs.length === 0 ? null : { ms: 1000, seq: Math.max(...seqs) },
  messages: seqs.map((seq) => ({ position: { ms: 1000, seq }, senderId: sender })),
});

const load = (fetchedAt: number, items: GroupChatItem[], identity = "portal:1"): SourceLoad => ({
  items,
  dropped: 0,
  identity,
  fetchedAt,
  unread: new Map(items.map((item) => [item.id, basis([1, 2])])),
});

describe("recent writes laid over portal loads", () => {
  it("adds a created chat to a load asked before it, not to one asked after it that lacks it", () => {
    const clock = manualClock(10_000);
    const recent = createRecentWrites({ clock });
    const before = load(9_000, [chat("gc-10", null)]);
    expect(recent.overlay(before)).toBe(before);
    recent.remember({
      kind: "chat_created",
      identity: "portal:1",
      source: "portal",
      item: { ...chat("gc-100", "2026-11-22T00:00:00.000Z"), unread_count: 0 },
    });
    const laid = recent.overlay(before);
    expect(laid.items.map((item) => item.id)).toEqual(["gc-10", "gc-100"]);
    expect(laid.unread?.get("gc-100")).toEqual({ kind: "portal", newest: null, messages: [] });
    // The same object again while nothing new was written: the response memo and the feeds
    // compare arrays by identity.
    expect(recent.overlay(before)).toBe(laid);
    // Asked after the creation and without it: the portal no longer shows it.
    const after = load(10_001, [chat("gc-10", null)]);
    expect(recent.overlay(after)).toBe(after);
    // Another user's loads are theirs.
    const bo = load(9_000, [chat("gc-10", null)], "portal:2");
    expect(recent.overlay(bo)).toBe(bo);
  });

  it("moves a chat's last_active to a sent message and holds the message as the caller's, never moving it back", () => {
    const recent = createRecentWrites({ clock: manualClock(10_000) });
    const sentAt = Date.UTC(2026, 10, 22, 12);
    recent.remember({
      kind: "message_sent",
      identity: "portal:1",
      source: "portal",
      chatId: "gc-10",
      position: { ms: 1000, seq: 3 },
      atMs: sentAt,
    });
    const older = load(9_000, [chat("gc-10", "2026-03-10T12:00:05.000Z")]);
    const laid = recent.overlay(older);
    expect(laid.items[0]?.last_active).toBe(new Date(sentAt).toISOString());
    const held = laid.unread?.get("gc-10") as PortalUnreadBasis;
    expect(held.newest).toEqual({ ms: 1000, seq: 3 });
    expect(held.messages.at(-1)).toEqual({ position: { ms: 1000, seq: 3 }, senderId: "1" });
    // A load that knows of later activity keeps it.
    const newer = load(11_000, [chat("gc-10", "2027-01-01T00:00:00.000Z")]);
    expect(recent.overlay(newer).items[0]?.last_active).toBe("2027-01-01T00:00:00.000Z");
    // An older message of the caller's changes nothing.
    recent.remember({
      kind: "message_sent",
      identity: "portal:1",
      source: "portal",
      chatId: "gc-10",
      position: { ms: 1000, seq: 2 },
      atMs: sentAt - 1000,
    });
    expect(recent.overlay(older)).toBe(laid);
  });
});

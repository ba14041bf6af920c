import type { ChatListItem } from "../core/items.js";
import { portalUnread, type UnreadBasis, vibenUnread } from "../core/unread.js";
import type { MarkerSnapshot, ReadableSource } from "./read-state.js";

/** One source's answer as the read state layer sees it (a Collected, structurally). */
export interface SourceItems {
  items: readonly ChatListItem[];
  unread?: ReadonlyMap<string, UnreadBasis>;
  identity?: string | null;
}

/** The sources of a request whose items have read state, with whose markers apply. */
export function readableSources(entries: readonly SourceItems[]): ReadableSource[] {
  return entries.flatMap((entry) =>
    entry.unread !== undefined && typeof entry.identity === "string" && entry.unread.size > 0
      ? [{ identity: entry.identity, unread: entry.unread }]
      : [],
  );
}

/**
 * A source's items with unread counts from the caller's markers (DESIGN §8): portal chats count
 * others' user messages after the marker (or the caller's own newest message); Viben chats
 * count agent messages after the later of the human member's last look and the marker. When the
 * markers could not be read, counts are null. The same array comes back when nothing changes.
 */
export function withUnreadCounts(
  entry: SourceItems,
  snapshot: MarkerSnapshot,
): readonly ChatListItem[] {
  const { unread, identity } = entry;
  if (unread === undefined || typeof identity !== "string" || unread.size === 0) return entry.items;
  const markers = snapshot.markersOf(identity);
  const userId = identity.slice(identity.indexOf(":") + 1);
  let changed = false;
  const items = entry.items.map((item) => {
    const basis = item.type === "group_chat" ? unread.get(item.id) : undefined;
    if (basis === undefined || item.type !== "group_chat") return item;
    let count: number | null = null;
    if (markers !== undefined) {
      const marker = markers.get(item.id) ?? null;
      count =
        basis.kind === "portal"
          ? portalUnread(basis, userId, marker)
          : vibenUnread(basis, marker?.ms ?? null);
    }
    if (count === item.unread_count) return item;
    changed = true;
    return { ...item, unread_count: count };
  });
  return changed ? items : entry.items;
}

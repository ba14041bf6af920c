// Zod-free on purpose (only types come from items.ts): browser clients bundle this order.
import { ITEM_TYPES, type ItemType } from "./item-types.js";
import type { ChatListItem } from "./items.js";

const TYPE_RANK: Record<ItemType, number> = Object.fromEntries(
  ITEM_TYPES.map((type, index) => [type, index]),
) as Record<ItemType, number>;

/** Plain UTF-16 code-unit comparison: deterministic, independent of locale and ICU data. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What an item is sorted by; also what a page cursor remembers of the last item it showed. */
export type SortKey = Pick<ChatListItem, "last_active" | "type" | "name" | "id">;

export function sortKeyOf(item: SortKey): SortKey {
  return { last_active: item.last_active, type: item.type, name: item.name, id: item.id };
}

/**
 * The list order: `last_active` descending with nulls last, then type (group_chat, executor,
 * agent), then name, then id. Timestamps are canonical ISO strings, so string order is time order.
 */
export function compareItems(a: SortKey, b: SortKey): number {
  if (a.last_active !== b.last_active) {
    if (a.last_active === null) return 1;
    if (b.last_active === null) return -1;
    return a.last_active > b.last_active ? -1 : 1;
  }
  return (
    TYPE_RANK[a.type] - TYPE_RANK[b.type] ||
    compareCodeUnits(a.name, b.name) ||
    compareCodeUnits(a.id, b.id)
  );
}

export function sortItems(items: ChatListItem[]): ChatListItem[] {
  return items.sort(compareItems);
}

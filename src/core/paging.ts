import type { ChatListItem } from "./items.js";
import { compareItems, type SortKey, sortKeyOf } from "./sort.js";

export interface Page {
  items: ChatListItem[];
  /** The sort key of the page's last item when more items follow; null on the last page. */
  next: SortKey | null;
}

/**
 * The page of a sorted list that starts right after `after` (the start when null) and holds at
 * most `limit` items (all when null). Keyset, not offset: an item added before the position does
 * not shift the next page, and the same `after` gives the same page of the same list.
 */
export function pageAfter(
  sorted: readonly ChatListItem[],
  after: SortKey | null,
  limit: number | null,
): Page {
  let start = 0;
  if (after !== null) {
    // First index whose item sorts after the key (binary search: the list is sorted).
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareItems(sorted[middle] as ChatListItem, after) <= 0) low = middle + 1;
      else high = middle;
    }
    start = low;
  }
  const end = limit === null ? sorted.length : Math.min(sorted.length, start + limit);
  const items = sorted.slice(start, end);
  const last = items.at(-1);
  return { items, next: end < sorted.length && last !== undefined ? sortKeyOf(last) : null };
}

import {
  type AgentItem,
  type ChatListItem,
  type Counts,
  type ExecutorItem,
  ITEM_TYPES,
  type ItemType,
} from "./items.js";
import { sortItems } from "./sort.js";

function sumCounts(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : a + b;
}

function newerIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

/** One executor reported by two registries: either's availability and MCP support, summed
 * sessions, the newest activity; name, description and source_name stay those of the first. */
export function mergeExecutor(first: ExecutorItem, later: ExecutorItem): ExecutorItem {
  return {
    ...first,
    is_available: first.is_available || later.is_available,
    supports_mcp: first.supports_mcp || later.supports_mcp,
    session_count: sumCounts(first.session_count, later.session_count),
    last_active: newerIso(first.last_active, later.last_active),
  };
}

/** A workspace agent shadows a global agent with the same id; otherwise the first one stays. */
function preferAgent(current: AgentItem, candidate: AgentItem): AgentItem {
  return current.is_global && !candidate.is_global ? candidate : current;
}

/** Items of one source dropped because a higher type already held their id. */
export interface IdCollision {
  /** The configured source of the dropped items (their `source_name`). */
  sourceName: string;
  /** The type of the item that holds the id. */
  takenBy: ItemType;
  count: number;
}

export interface MergeResult {
  items: ChatListItem[];
  /** What was dropped because another item of a higher type already had its id. */
  collisions: IdCollision[];
}

/**
 * Merges the items of every source, given in config order, into one de-duplicated list.
 * Within a type, the merge and shadowing rules apply in config order. Across types, ids stay
 * unique by rank, not config order: group chats are placed first, then executors, then agents,
 * and an item whose id a higher type already holds is dropped (and reported), so no agent can
 * hide or impersonate a chat or an executor.
 */
export function mergeItems(perSource: readonly (readonly ChatListItem[])[]): MergeResult {
  const byId = new Map<string, ChatListItem>();
  const collisions = new Map<string, IdCollision>();
  for (const type of ITEM_TYPES) {
    for (const items of perSource) {
      for (const item of items) {
        if (item.type !== type) continue;
        const current = byId.get(item.id);
        if (current === undefined) byId.set(item.id, item);
        else if (current.type !== item.type) {
          const key = `${item.source_name}\n${current.type}`;
          const known = collisions.get(key);
          if (known === undefined)
            collisions.set(key, {
              sourceName: item.source_name,
              takenBy: current.type,
              count: 1,
            });
          else known.count++;
        } else if (current.type === "executor" && item.type === "executor")
          byId.set(item.id, mergeExecutor(current, item));
        else if (current.type === "agent" && item.type === "agent")
          byId.set(item.id, preferAgent(current, item));
        // Two group chats with one id: the first source in config order wins.
      }
    }
  }
  return { items: [...byId.values()], collisions: [...collisions.values()] };
}

export function countItems(items: readonly ChatListItem[]): Counts {
  const counts: Counts = { group_chats: 0, executors: 0, agents: 0 };
  for (const item of items) {
    if (item.type === "group_chat") counts.group_chats++;
    else if (item.type === "executor") counts.executors++;
    else counts.agents++;
  }
  return counts;
}

/** Merge, sort and count: the pure heart of the endpoint. */
export function assembleList(perSource: readonly (readonly ChatListItem[])[]) {
  const { items, collisions } = mergeItems(perSource);
  return { items: sortItems(items), counts: countItems(items), collisions };
}

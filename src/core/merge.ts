import type { AgentItem, ChatListItem, Counts, ExecutorItem } from "./items.js";
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
 * sessions, the newest activity; name, description and source stay those of the first. */
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

export interface MergeResult {
  items: ChatListItem[];
  /** Items dropped because another item of a different type already had their id. */
  idCollisions: number;
}

/**
 * Merges the items of every source, given in config order, into one de-duplicated list.
 * Ids stay unique across types: a later item whose id another type already took is dropped.
 */
export function mergeItems(perSource: readonly (readonly ChatListItem[])[]): MergeResult {
  const byId = new Map<string, ChatListItem>();
  let idCollisions = 0;
  for (const items of perSource) {
    for (const item of items) {
      const current = byId.get(item.id);
      if (current === undefined) byId.set(item.id, item);
      else if (current.type !== item.type) idCollisions++;
      else if (current.type === "executor" && item.type === "executor")
        byId.set(item.id, mergeExecutor(current, item));
      else if (current.type === "agent" && item.type === "agent")
        byId.set(item.id, preferAgent(current, item));
      // Two group chats with one id: the first source in config order wins.
    }
  }
  return { items: [...byId.values()], idCollisions };
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
  const { items, idCollisions } = mergeItems(perSource);
  return { items: sortItems(items), counts: countItems(items), idCollisions };
}

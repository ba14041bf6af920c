import type { ChatListItem, Counts } from "../core/items.js";
import type { SourceReport } from "../sources/collect.js";

/** The list as the stream carries it: the list's body without paging. */
export interface ListBody {
  items: ChatListItem[];
  counts: Counts;
  sources: SourceReport[];
  complete: boolean;
  workspace_path: string | null;
  next_cursor: null;
}

/** One version of a feed's list, with what diffing needs precomputed. */
export interface ListState {
  version: string;
  /** The latest body of this version: what is shown is the same, sources may be fresher. */
  body: ListBody;
  /** By item id: the item's JSON. */
  itemJson: Map<string, string>;
  countsJson: string;
  /** About what the version holds in memory (its items' JSON, and their objects), in bytes. */
  bytes: number;
}

/** What a patch event carries (DESIGN §9): whole items, new or changed, and removed ids. */
export interface Patch {
  upsert: ChatListItem[];
  remove: string[];
  counts: Counts;
  sources: SourceReport[];
  complete: boolean;
}

export function listState(body: ListBody, version: string): ListState {
  const itemJson = new Map(body.items.map((item) => [item.id, JSON.stringify(item)]));
  let bytes = 256;
  // Each item is held twice, as its JSON string (two bytes a character) and as the object.
  for (const json of itemJson.values()) bytes += json.length * 4 + 64;
  return { version, body, itemJson, countsJson: JSON.stringify(body.counts), bytes };
}

/**
 * Whether anything a sidebar shows differs between two versions: items, counts, completeness —
 * never timings or ages, which change on every load.
 */
export function shownDiffers(a: ListState, b: ListState): boolean {
  if (a.countsJson !== b.countsJson || a.body.complete !== b.body.complete) return true;
  if (a.itemJson.size !== b.itemJson.size) return true;
  for (const [id, json] of b.itemJson) if (a.itemJson.get(id) !== json) return true;
  return false;
}

/** The patch that takes a client holding `from` to `to`. */
export function patchBetween(from: ListState, to: ListState): Patch {
  const upsert = to.body.items.filter(
    (item) => from.itemJson.get(item.id) !== to.itemJson.get(item.id),
  );
  const remove = [...from.itemJson.keys()].filter((id) => !to.itemJson.has(id));
  return {
    upsert,
    remove,
    counts: to.body.counts,
    sources: to.body.sources,
    complete: to.body.complete,
  };
}

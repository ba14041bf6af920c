import { LRUCache } from "lru-cache";
import { sha256Hex } from "../../cache/cache-key.js";
import type { ChatListItem } from "../../core/items.js";
import type { Logger } from "../../core/logger.js";
import { assembleList } from "../../core/merge.js";
import { pageAfter } from "../../core/paging.js";
import type { SortKey } from "../../core/sort.js";
import type { Collected } from "../../sources/collect.js";
import { collisionNotes } from "./collision-notes.js";
import type { CursorCodec } from "./cursor.js";

/** What the sidebar is shown of one page, serialized once: the part an ETag covers. */
export interface ListView {
  etag: string;
  /** The body's start, `{"items":[…],"counts":{…},"sources":`, as UTF-8: encoded once per view,
   * since encoding a large list's text on every response was most of its cost (10,000 items:
   * 21 → 2 ms a request; bench/RESULTS.md). */
  head: Uint8Array;
  nextCursorJson: string;
  /** By source name: its items the merge dropped for their ids, as its note says it. */
  collisionNotes: ReadonlyMap<string, string>;
}

const utf8 = new TextEncoder();

/** What a memo costs besides its bytes (the objects, the array buffer's own record), counted so
 * that many small views are bounded by maxBytes too. */
const VIEW_OVERHEAD_BYTES = 256;

interface Memo {
  /** Each source's status and items array the view was built from. */
  inputs: Array<{ status: string; items: readonly ChatListItem[] }>;
  /** The cursor period it was built in (see cursorPeriod), or null without a next cursor. */
  period: number | null;
  markersVersion: string;
  view: ListView;
}

export interface ViewRequest {
  /** SHA-256 of the caller's credential, or "-": views are never shared between callers. */
  callerKey: string;
  /** The query the list depends on (workspace, include_global, types). */
  binding: string;
  after: SortKey | null;
  cursor: string | undefined;
  limit: number | null;
  complete: boolean;
  /** Now, epoch ms: a view with a next cursor is rebuilt (and its ETag changes) every half
   * cursor lifetime, so a client revalidating with 304s never holds an expired cursor. */
  now: number;
  /** The version of the caller's read markers the unread counts come from: a marker change
   * rebuilds the view and changes its ETag. */
  markersVersion: string;
  /** A source's items as the caller sees them (unread counts from the caller's markers). */
  itemsOf(entry: Collected): readonly ChatListItem[];
}

/**
 * Builds the serialized view of a page — merge, sort, page, JSON, ETag — and memoizes it per
 * caller and query. A memo is reused only while every source answered with the very same cached
 * result (same status, same items array), so it is dropped as soon as any entry it was built
 * from changes. That is what makes a warm request cost little more than a static route.
 */
export function createListViews(options: {
  cursors: CursorCodec;
  logger?: Logger;
  cursorTtlMs: number;
  maxBytes: number;
  maxEntries: number;
  /** SHA-256 (hex) for the ETag; @noble/hashes when absent. */
  sha256Hex?: (text: string) => string;
}) {
  const hash = options.sha256Hex ?? sha256Hex;
  const cursorPeriod = (now: number) => Math.floor(now / Math.max(1, options.cursorTtlMs / 2));
  const memos = new LRUCache<string, Memo>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (memo) =>
      VIEW_OVERHEAD_BYTES + memo.view.head.byteLength + memo.view.nextCursorJson.length,
  });

  async function build(collected: readonly Collected[], request: ViewRequest): Promise<ListView> {
    const { items, counts, collisions } = assembleList(
      collected.map((entry) => request.itemsOf(entry)),
    );
    // Once per view built (not per request served from it): which source lost how many ids.
    for (const collision of collisions)
      options.logger?.warn({
        event: "id_collisions",
        source: collision.sourceName,
        dropped: collision.count,
        taken_by: collision.takenBy,
      });
    const page = pageAfter(items, request.after, request.limit);
    const itemsJson = JSON.stringify(page.items);
    const countsJson = JSON.stringify(counts);
    const nextCursor =
      page.next === null
        ? null
        : await options.cursors.encode(page.next, request.binding, request.callerKey);
    // Weak: it covers what the sidebar shows (items, counts, completeness, next position) and the
    // caller, not timings or ages, so an unchanged list revalidates with a 304.
    const period = page.next === null ? "" : String(cursorPeriod(request.now));
    const shown = `${request.callerKey}\n${request.markersVersion}\n${itemsJson}\n${countsJson}\n${request.complete}\n${JSON.stringify(page.next)}\n${period}`;
    const etag = `W/"${hash(shown).slice(0, 32)}"`;
    return {
      etag,
      head: utf8.encode(`{"items":${itemsJson},"counts":${countsJson},"sources":`),
      nextCursorJson: JSON.stringify(nextCursor),
      collisionNotes: collisionNotes(collisions),
    };
  }

  async function viewOf(collected: readonly Collected[], request: ViewRequest): Promise<ListView> {
    const key = `${request.callerKey}\n${request.binding}\n${request.limit}\n${request.cursor ?? ""}`;
    const memo = memos.get(key);
    if (
      memo !== undefined &&
      (memo.period === null || memo.period === cursorPeriod(request.now)) &&
      memo.markersVersion === request.markersVersion &&
      memo.inputs.length === collected.length &&
      memo.inputs.every(
        (input, index) =>
          input.status === collected[index]?.report.status &&
          input.items === collected[index]?.items,
      )
    )
      return memo.view;
    const view = await build(collected, request);
    memos.set(key, {
      inputs: collected.map((entry) => ({ status: entry.report.status, items: entry.items })),
      period: view.nextCursorJson === "null" ? null : cursorPeriod(request.now),
      markersVersion: request.markersVersion,
      view,
    });
    return view;
  }

  return { viewOf };
}

export type ListViews = ReturnType<typeof createListViews>;

import { assembleList } from "../../core/merge.js";
import type { ListBody } from "../../live/list-state.js";
import type { Collected } from "../../sources/collect.js";
import type { MarkerSnapshot } from "../../state/read-state.js";
import { withUnreadCounts } from "../../state/unread-counts.js";
import { isComplete } from "./chat-list.response.js";
import { collisionNotes, withCollisionNotes } from "./collision-notes.js";
import { withUnavailableNotes } from "./unread-notes.js";

/** The whole list (no pages) as the caller sees it: what a live stream's snapshot carries. */
export function listBody(
  collected: readonly Collected[],
  markers: MarkerSnapshot,
  workspacePath: string | null,
): ListBody {
  return createListBodies()(collected, markers, workspacePath);
}

/**
 * listBody for one live feed, which builds the same list every `refreshMs`: the merge, sort and
 * count are reused while every source answered with the very same cached result (its items and
 * unread basis, the same objects from one load to the next) and the caller's markers are at the
 * same version — so an unchanged refresh builds only its source reports, and gives back the very
 * same items and counts objects, which the feed checks before diffing (see createFeed's apply).
 */
export function createListBodies() {
  let memo:
    | {
        inputs: ReadonlyArray<Pick<Collected, "items" | "unread" | "identity">>;
        markersVersion: string;
        unavailable: string | null;
        assembled: ReturnType<typeof assembleList>;
        notes: ReadonlyMap<string, string>;
      }
    | undefined;
  return function memoizedListBody(
    collected: readonly Collected[],
    markers: MarkerSnapshot,
    workspacePath: string | null,
  ): ListBody {
    if (
      memo === undefined ||
      memo.markersVersion !== markers.version ||
      memo.unavailable !== markers.unavailable ||
      memo.inputs.length !== collected.length ||
      !memo.inputs.every((input, index) => {
        const entry = collected[index] as Collected;
        return (
          input.items === entry.items &&
          input.unread === entry.unread &&
          input.identity === entry.identity
        );
      })
    ) {
      const assembled = assembleList(collected.map((entry) => withUnreadCounts(entry, markers)));
      memo = {
        inputs: collected.map(({ items, unread, identity }) => ({ items, unread, identity })),
        markersVersion: markers.version,
        unavailable: markers.unavailable,
        assembled,
        notes: collisionNotes(assembled.collisions),
      };
    }
    const sources = withCollisionNotes(
      withUnavailableNotes(collected, markers.unavailable),
      memo.notes,
    );
    return {
      items: memo.assembled.items,
      counts: memo.assembled.counts,
      sources,
      complete: isComplete(sources),
      workspace_path: workspacePath,
      next_cursor: null,
    };
  };
}

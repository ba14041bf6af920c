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
  const { items, counts, collisions } = assembleList(
    collected.map((entry) => withUnreadCounts(entry, markers)),
  );
  const sources = withCollisionNotes(
    withUnavailableNotes(collected, markers.unavailable),
    collisionNotes(collisions),
  );
  return {
    items,
    counts,
    sources,
    complete: isComplete(sources),
    workspace_path: workspacePath,
    next_cursor: null,
  };
}

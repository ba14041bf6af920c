/**
 * What an item's unread count is computed from, besides the caller's read marker (DESIGN §8).
 * A source that can count unread messages attaches one basis per item to its load; the read
 * state layer combines it with the caller's marker for each request.
 */

/** A Viben group chat: the agent messages that count, and when the human member last looked. */
export interface VibenUnreadBasis {
  kind: "viben";
  /** The human member's lastSeenAt, else joinedAt (epoch ms); null when neither is known. */
  seenMs: number | null;
  /** Epoch ms of each agent message of type text or error, ascending. */
  countedMs: readonly number[];
}

export type UnreadBasis = VibenUnreadBasis;

/** Counted messages strictly after the later of the basis's own mark and `markerMs`. */
export function vibenUnread(basis: VibenUnreadBasis, markerMs: number | null): number {
  const after = Math.max(
    basis.seenMs ?? Number.NEGATIVE_INFINITY,
    markerMs ?? Number.NEGATIVE_INFINITY,
  );
  // countedMs is ascending: binary-search the first time after the mark.
  let low = 0;
  let high = basis.countedMs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((basis.countedMs[middle] as number) <= after) low = middle + 1;
    else high = middle;
  }
  return basis.countedMs.length - low;
}

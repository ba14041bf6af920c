/**
 * What an item's unread count is computed from, besides the caller's read marker (DESIGN §8).
 * A source that can count unread messages attaches one basis per item to its load; the read
 * state layer combines it with the caller's marker for each request.
 */

/** Where a message stands in its chat: a portal stream id `<ms>-<seq>`, or a Viben message's
 * timestamp (seq 0). Compared as two integers, never as strings. */
export interface MessagePosition {
  ms: number;
  seq: number;
}

/** Negative when a is before b, 0 when equal, positive after: ms first, then seq, as integers
 * (as strings, "10-2" would sort before "9-10" and "1-10" before "1-9"). */
export function comparePositions(a: MessagePosition, b: MessagePosition): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** A Viben group chat: the agent messages that count, and when the human member last looked. */
export interface VibenUnreadBasis {
  kind: "viben";
  /** The human member's lastSeenAt, else joinedAt (epoch ms); null when neither is known. */
  seenMs: number | null;
  /** Epoch ms of each agent message of type text or error, ascending. */
  countedMs: readonly number[];
}

/** A portal chat: the users' messages of the history the gateway holds. */
export interface PortalUnreadBasis {
  kind: "portal";
  /** The newest message of any type held; null when the history is empty. */
  newest: MessagePosition | null;
  /** Messages of type `user`, ascending by position, with who sent them. */
  messages: readonly { position: MessagePosition; senderId: string | null }[];
}

export type UnreadBasis = VibenUnreadBasis | PortalUnreadBasis;

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

/**
 * The caller's own newest message in a portal chat: sending counts as reading up to it.
 * Null when the caller sent none of the held messages.
 */
export function ownNewest(basis: PortalUnreadBasis, userId: string): MessagePosition | null {
  for (let index = basis.messages.length - 1; index >= 0; index--) {
    const message = basis.messages[index];
    if (message?.senderId === userId) return message.position;
  }
  return null;
}

/**
 * Others' user messages after the later of the marker and the caller's own newest message. (No
 * message of the caller's can lie after that point, so every message counted is someone else's.)
 */
export function portalUnread(
  basis: PortalUnreadBasis,
  userId: string,
  marker: MessagePosition | null,
): number {
  const own = ownNewest(basis, userId);
  const after =
    marker === null ? own : own === null || comparePositions(marker, own) >= 0 ? marker : own;
  let count = 0;
  for (let index = basis.messages.length - 1; index >= 0; index--) {
    const message = basis.messages[index] as PortalUnreadBasis["messages"][number];
    if (after !== null && comparePositions(message.position, after) <= 0) break;
    count++;
  }
  return count;
}

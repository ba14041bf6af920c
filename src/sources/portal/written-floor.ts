import {
  comparePositions,
  type MessagePosition,
  type PortalUnreadBasis,
} from "../../core/unread.js";
import { MAX_MESSAGES_PER_CHAT } from "./history-summary.js";

/** A message the caller sent through the gateway: where it stands, and who sent it. */
export interface OwnMessage {
  position: MessagePosition;
  senderId: string | null;
}

/** What the gateway holds of one chat's history (see summarizeHistory). */
export interface HistorySummary {
  lastActiveMs: number | null;
  basis: PortalUnreadBasis;
}

/** The basis with `own` among its user messages (in order, newest kept within the bound). The
 * same object when it holds it already. */
export function basisWithMessage(basis: PortalUnreadBasis, own: OwnMessage): PortalUnreadBasis {
  if (basis.messages.some((message) => comparePositions(message.position, own.position) === 0))
    return basis;
  // Older than every message held of a full history: it would not be kept anyway.
  const oldest = basis.messages[0];
  if (
    basis.messages.length >= MAX_MESSAGES_PER_CHAT &&
    oldest !== undefined &&
    comparePositions(own.position, oldest.position) < 0
  )
    return basis;
  const messages = [...basis.messages, own]
    .sort((a, b) => comparePositions(a.position, b.position))
    .slice(-MAX_MESSAGES_PER_CHAT);
  const newest =
    basis.newest === null || comparePositions(own.position, basis.newest) > 0
      ? own.position
      : basis.newest;
  return { kind: "portal", newest, messages };
}

/**
 * A history summary with what writes told of its chat laid over it: dated at least at the
 * latest write, holding the caller's own messages. The same object when the summary already
 * says all of that (the history has caught up with the writes).
 */
export function withWrites(
  summary: HistorySummary,
  written: { atMs: number; own: readonly OwnMessage[] },
): HistorySummary {
  let basis = summary.basis;
  for (const own of written.own) basis = basisWithMessage(basis, own);
  const lastActiveMs =
    summary.lastActiveMs === null || summary.lastActiveMs < written.atMs
      ? written.atMs
      : summary.lastActiveMs;
  if (basis === summary.basis && lastActiveMs === summary.lastActiveMs) return summary;
  return { lastActiveMs, basis };
}

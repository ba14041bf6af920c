import type { z } from "zod";
import { newest } from "../../core/timestamps.js";
import {
  comparePositions,
  type MessagePosition,
  type PortalUnreadBasis,
} from "../../core/unread.js";
import { messagePosition, messageTimeMs, type PortalMessageUpstream } from "./portal-schema.js";

/** User messages held per chat at most: unread counts are counted over the newest of them. */
export const MAX_MESSAGES_PER_CHAT = 200;

type PortalMessage = z.infer<typeof PortalMessageUpstream>;

/**
 * What the gateway keeps of one chat's history: its last activity, and for unread counts the
 * newest message's position and the user messages (position and sender), oldest first. System
 * messages never count as unread. Message text is never kept (it is ciphertext anyway).
 */
export function summarizeHistory(messages: readonly PortalMessage[]): {
  lastActiveMs: number | null;
  basis: PortalUnreadBasis;
} {
  let newestPosition: MessagePosition | null = null;
  const users: PortalUnreadBasis["messages"][number][] = [];
  for (const message of messages) {
    const position = messagePosition(message);
    if (position === null) continue;
    if (newestPosition === null || comparePositions(position, newestPosition) > 0)
      newestPosition = position;
    if (message.type === "user") users.push({ position, senderId: message.sender_id });
  }
  users.sort((a, b) => comparePositions(a.position, b.position));
  return {
    lastActiveMs: newest(messages.map(messageTimeMs)),
    basis: {
      kind: "portal",
      newest: newestPosition,
      messages: users.slice(-MAX_MESSAGES_PER_CHAT),
    },
  };
}

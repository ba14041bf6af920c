import { type GroupChatItem, scopeOf } from "../../core/items.js";
import { toIso } from "../../core/timestamps.js";
import { type VibenUnreadBasis, vibenUnread } from "../../core/unread.js";
import { groupChatItemId } from "../viben-group-chats.js";
import type { ChatFolder } from "./group-chat-folder.js";
import { firstTime, text } from "./viben-documents.js";

/** What a chat's unread count is computed from (DESIGN §7), kept for the read markers (§8). */
export function unreadBasis(chat: ChatFolder): VibenUnreadBasis {
  // Without a human member nobody is behind on anything: nothing counts.
  if (chat.humanSeenMs === undefined) return { kind: "viben", seenMs: null, countedMs: [] };
  return { kind: "viben", seenMs: chat.humanSeenMs, countedMs: chat.sessions.countedMs };
}

/** The item of the chat in folder `folderId`; global when `workspacePath` is null. Its unread
 * count has no read marker yet: the gateway's own markers come later. */
export function chatItem(
  folderId: string,
  chat: ChatFolder,
  workspacePath: string | null,
  sourceName: string,
): GroupChatItem {
  const { sessions } = chat;
  const global = workspacePath === null;
  const lastActiveMs =
    sessions.newestMessageMs ??
    sessions.newestUpdatedMs ??
    firstTime(chat.config, "updated_at", "updatedAt");
  return {
    id: groupChatItemId(folderId),
    type: "group_chat",
    item_type: "group_chat",
    name: text(chat.config.name) ?? folderId,
    description: text(chat.config.description),
    last_active: toIso(lastActiveMs),
    source: scopeOf(global),
    source_name: sourceName,
    member_count: chat.memberCount,
    session_count: sessions.count,
    unread_count: vibenUnread(unreadBasis(chat), null),
    workspace_path: workspacePath,
    is_global: global,
  };
}

/** The source's note for logs counted only from their tail. */
export function tailNote(logs: number): string {
  return logs === 1
    ? "1 message log over maxBytesPerFile: counted from its tail"
    : `${logs} message logs over maxBytesPerFile: counted from their tail`;
}

import { z } from "zod";
import type { GroupChatItem } from "../../core/items.js";
import { streamIdMs, toIso } from "../../core/timestamps.js";
import { OptionalText, tolerantObject, UpstreamId, UpstreamTimestamp } from "../tolerant.js";

/** The portal's chat as `GET /v1/portal/chats` returns it (seeds/portal-list-chats.txt). */
const PortalSecretUpstream = tolerantObject({
  id: UpstreamId,
  name: z.string(),
  expires_at: UpstreamTimestamp,
});

export const PortalChatUpstream = tolerantObject({
  id: UpstreamId,
  chat_type: z.string().optional(),
  name: OptionalText,
  visibility: OptionalText,
  description: OptionalText,
  avatar_url: OptionalText,
  slug: OptionalText,
  archived: z.boolean().optional(),
  // Entries are checked one by one below, so one bad secret does not drop its chat.
  secrets: z.array(z.unknown()).nullish(),
});
export type PortalChat = z.infer<typeof PortalChatUpstream>;

/** A message from `GET /v1/portal/chats/{id}/history`: only what dates it. */
export const PortalMessageUpstream = tolerantObject({
  id: z.unknown().optional(),
  timestamp: UpstreamTimestamp,
});

export type ChatType = "group" | "direct" | "secret";

/** The portal's chat types, including spellings seen in the wild; null when unknown. */
export function normalizeChatType(raw: string | undefined): ChatType | null {
  switch ((raw ?? "group").trim().toLowerCase()) {
    case "group":
      return "group";
    case "direct":
      return "direct";
    case "secret":
    case "secret_chat":
    case "secret_group":
      return "secret";
    default:
      return null;
  }
}

/** The time of a message: its explicit timestamp, else its stream id's milliseconds. */
export function messageTimeMs(message: z.infer<typeof PortalMessageUpstream>): number | null {
  return message.timestamp ?? streamIdMs(message.id);
}

export function toGroupChatItem(
  chat: PortalChat,
  chatType: ChatType,
  source: string,
  lastActiveMs: number | null,
): GroupChatItem {
  const secrets = (chat.secrets ?? []).flatMap((entry) => {
    const parsed = PortalSecretUpstream.safeParse(entry);
    return parsed.success
      ? [{ id: parsed.data.id, name: parsed.data.name, expires_at: toIso(parsed.data.expires_at) }]
      : [];
  });
  return {
    id: `gc-${chat.id}`,
    type: "group_chat",
    item_type: "group_chat",
    name: chat.name ?? chat.slug ?? chat.id,
    description: chat.description,
    last_active: toIso(lastActiveMs),
    source,
    member_count: chatType === "direct" ? 2 : null,
    session_count: null,
    unread_count: null,
    workspace_path: null,
    is_global: true,
    upstream_id: chat.id,
    chat_type: chatType,
    visibility: chat.visibility,
    archived: chat.archived ?? false,
    avatar_url: chat.avatar_url,
    secrets,
  };
}

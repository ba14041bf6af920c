import { z } from "zod";
import { GROUP_CHAT_ID_PREFIX, type GroupChatItem } from "../../core/items.js";
import { streamIdMs, toIso } from "../../core/timestamps.js";
import type { MessagePosition } from "../../core/unread.js";
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

/** The sender's id of a message (`sender: {id, username, ...}`; null for system messages). */
function senderIdOf(sender: unknown): string | null {
  const parsed = UpstreamId.safeParse((sender as { id?: unknown } | null)?.id);
  return parsed.success ? parsed.data : null;
}

/** A message from `GET /v1/portal/chats/{id}/history`: what dates it, orders it and says who
 * sent it. Its content (ciphertext) is never read. */
export const PortalMessageUpstream = tolerantObject({
  id: z.unknown().optional(),
  timestamp: UpstreamTimestamp,
  type: z
    .unknown()
    .optional()
    .transform((type) => (typeof type === "string" ? type.trim().toLowerCase() : null)),
  sender: z.unknown().optional(),
}).transform(({ sender, ...message }) => ({ ...message, sender_id: senderIdOf(sender) }));

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

const STREAM_ID = /^(\d{1,16})-(\d{1,20})$/;

/**
 * Where a message stands in its chat: its stream id `<ms>-<seq>` as two integers, else (no
 * usable id) its timestamp with seq 0; null when it has neither.
 */
export function messagePosition(
  message: z.infer<typeof PortalMessageUpstream>,
): MessagePosition | null {
  const match = typeof message.id === "string" ? STREAM_ID.exec(message.id) : null;
  if (match !== null) {
    const ms = Number(match[1]);
    const seq = Number(match[2]);
    if (Number.isSafeInteger(ms) && Number.isSafeInteger(seq)) return { ms, seq };
  }
  return message.timestamp === null ? null : { ms: message.timestamp, seq: 0 };
}

/** The time of a message: its explicit timestamp, else its stream id's milliseconds. */
export function messageTimeMs(message: z.infer<typeof PortalMessageUpstream>): number | null {
  return message.timestamp ?? streamIdMs(message.id);
}

export function toGroupChatItem(
  chat: PortalChat,
  chatType: ChatType,
  sourceName: string,
  lastActiveMs: number | null,
): GroupChatItem {
  const secrets = (chat.secrets ?? []).flatMap((entry) => {
    const parsed = PortalSecretUpstream.safeParse(entry);
    return parsed.success
      ? [{ id: parsed.data.id, name: parsed.data.name, expires_at: toIso(parsed.data.expires_at) }]
      : [];
  });
  return {
    id: `${GROUP_CHAT_ID_PREFIX}${chat.id}`,
    type: "group_chat",
    item_type: "group_chat",
    name: chat.name ?? chat.slug ?? chat.id,
    description: chat.description,
    last_active: toIso(lastActiveMs),
    source: "global",
    source_name: sourceName,
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

import { z } from "@hono/zod-openapi";
import { ITEM_TYPES } from "./item-types.js";

export { ITEM_TYPES, type ItemType } from "./item-types.js";
export const ItemTypeSchema = z.enum(ITEM_TYPES).openapi("ItemType");

/** Every group chat's id starts with this (DESIGN §1); no other type's id may. */
export const GROUP_CHAT_ID_PREFIX = "gc-";

/**
 * `source` as Viben's desktop reads it (`source === "global"` badges an item global): whether an
 * item is bound to the requested workspace. Not the configured source: that is `source_name`.
 */
export const ITEM_SCOPES = ["global", "workspace"] as const;
export const ItemScopeSchema = z.enum(ITEM_SCOPES).openapi("ItemScope", {
  description:
    'Viben\'s meaning, which its desktop badges: `"global"` for an item not bound to a workspace (portal chats, global chats and agents, executors), `"workspace"` for one read from the requested workspace. Agrees with `is_global` where the item has one. The configured source is `source_name`.',
  example: "global",
});
export type ItemScope = z.infer<typeof ItemScopeSchema>;

/** The one place an item's `source` is derived from whether it is global. */
export function scopeOf(isGlobal: boolean): ItemScope {
  return isGlobal ? "global" : "workspace";
}

const IsoTimestamp = z
  .string()
  .openapi({ format: "date-time", example: "2026-03-10T12:00:00.000Z" });

// Viben's current desktop client filters on item_type, not type.
const ITEM_TYPE_NOTE = "The same value as `type`, for clients that read `item_type`.";

const commonFields = {
  id: z.string().openapi({ description: "Unique in the response and stable across calls." }),
  name: z.string(),
  description: z.string().nullable(),
  last_active: IsoTimestamp.nullable().openapi({
    description: "ISO-8601 UTC of the last activity; null when unknown (sorted last).",
  }),
  source: ItemScopeSchema,
  source_name: z.string().openapi({
    description: "Name of the configured source that reported it (its `sources[].name`).",
    example: "portal",
  }),
};

export const PortalSecretSchema = z
  .object({ id: z.string(), name: z.string(), expires_at: IsoTimestamp.nullable() })
  .openapi("PortalSecret");

export const GroupChatItemSchema = z
  .object({
    ...commonFields,
    type: z.literal("group_chat"),
    item_type: z.literal("group_chat").openapi({ description: ITEM_TYPE_NOTE }),
    member_count: z.number().int().nullable(),
    session_count: z.number().int().nullable(),
    unread_count: z.number().int().nullable(),
    workspace_path: z.string().nullable(),
    is_global: z.boolean(),
    upstream_id: z.string().optional().openapi({ description: "Portal chats: the portal id." }),
    chat_type: z.enum(["group", "direct", "secret"]).optional(),
    visibility: z.string().nullable().optional(),
    archived: z.boolean().optional(),
    avatar_url: z.string().nullable().optional(),
    secrets: z.array(PortalSecretSchema).optional(),
  })
  .openapi("GroupChatItem");

export const ExecutorItemSchema = z
  .object({
    ...commonFields,
    type: z.literal("executor"),
    source: z.literal("global").openapi({
      description: 'Always `"global"`: executors are not bound to a workspace.',
    }),
    item_type: z.literal("executor").openapi({ description: ITEM_TYPE_NOTE }),
    icon_type: z.string().openapi({
      description: "The executor's upper-case id, which Viben's desktop client maps to an icon.",
      example: "CLAUDE_CODE",
    }),
    is_available: z.boolean(),
    supports_mcp: z.boolean(),
    session_count: z.number().int().nullable(),
  })
  .openapi("ExecutorItem");

export const AgentItemSchema = z
  .object({
    ...commonFields,
    type: z.literal("agent"),
    item_type: z.literal("agent").openapi({ description: ITEM_TYPE_NOTE }),
    model: z.string().nullable(),
    provider: z.string().nullable(),
    session_count: z.number().int().nullable(),
    workspace_path: z.string().nullable(),
    is_global: z.boolean(),
  })
  .openapi("AgentItem");

export const ChatListItemSchema = z
  .discriminatedUnion("type", [GroupChatItemSchema, ExecutorItemSchema, AgentItemSchema])
  .openapi("ChatListItem");

export type GroupChatItem = z.infer<typeof GroupChatItemSchema>;
export type ExecutorItem = z.infer<typeof ExecutorItemSchema>;
export type AgentItem = z.infer<typeof AgentItemSchema>;
export type ChatListItem = z.infer<typeof ChatListItemSchema>;
export type PortalSecret = z.infer<typeof PortalSecretSchema>;

export const CountsSchema = z
  .object({
    group_chats: z.number().int(),
    executors: z.number().int(),
    agents: z.number().int(),
  })
  .openapi("Counts");
export type Counts = z.infer<typeof CountsSchema>;

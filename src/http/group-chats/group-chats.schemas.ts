import { z } from "@hono/zod-openapi";
import { GroupChatItemSchema } from "../../core/items.js";

export {
  CreateChatRequestSchema,
  SendMessageRequestSchema,
} from "../../writes/write-requests.js";

/** Largest body a write accepts (DESIGN §13). */
export const MAX_WRITE_BODY_BYTES = 16 * 1024;

export const CreateChatQuerySchema = z.object({
  source_name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "a configured source's name")
    .optional()
    .openapi({
      description: "The portal source to create the chat in; the first configured one when absent.",
      example: "portal",
    }),
});

export const ChatIdParamsSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(600)
    .openapi({
      param: { name: "id", in: "path" },
      description: "A portal chat's id in the caller's list (`gc-<portal id>`).",
      example: "gc-42",
    }),
});

const createdItemExample = {
  id: "gc-42",
  type: "group_chat",
  item_type: "group_chat",
  name: "release-war-room",
  description: "Release coordination",
  last_active: "2026-03-10T12:00:00.000Z",
  source: "global",
  source_name: "portal",
  member_count: null,
  session_count: null,
  unread_count: 0,
  workspace_path: null,
  is_global: true,
  upstream_id: "42",
  chat_type: "group",
  visibility: "private",
  archived: false,
  avatar_url: null,
  secrets: [],
} as const;

export const CreateChatResponseSchema = z
  .object({
    item: GroupChatItemSchema.openapi({
      description: "The new chat as the list shows it: dated now, nothing unread.",
    }),
  })
  .openapi("CreateGroupChatResponse", { example: { item: createdItemExample } });

export const SendMessageResponseSchema = z
  .object({
    id: z.string().openapi({
      description: "The message's stream id (`<ms>-<seq>`), as the portal answered it.",
      example: "1773144000000-0",
    }),
    item: GroupChatItemSchema.openapi({
      description:
        "The chat as the list shows it now: `last_active` at the message, the caller's marker on it.",
    }),
  })
  .openapi("SendMessageResponse", {
    example: {
      id: "1773144000000-0",
      item: { ...createdItemExample, last_active: "2026-03-10T12:00:00.000Z" },
    },
  });

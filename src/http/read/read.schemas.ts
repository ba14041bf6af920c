import { z } from "@hono/zod-openapi";
import { ChatListQuerySchema } from "../chat-list/chat-list.schemas.js";

/** Largest body POST /api/chat-list/read accepts. */
export const MAX_READ_BODY_BYTES = 16 * 1024;

export const ReadQuerySchema = ChatListQuerySchema.pick({ workspace_path: true });

export const ReadRequestSchema = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(600).openapi({ example: "gc-42" }),
          up_to: z.string().min(1).max(64).optional().openapi({
            description:
              "Read up to this message: a portal message id (`<ms>-<seq>`) or an ISO-8601 timestamp. Absent: everything the gateway knows of now.",
            example: "1710000000001-0",
          }),
        }),
      )
      .min(1, "at least one item")
      .max(100, "at most 100 items"),
  })
  .openapi("ReadRequest", {
    example: { items: [{ id: "gc-42", up_to: "1710000000001-0" }, { id: "gc-project-chat" }] },
  });
export type ReadRequest = z.infer<typeof ReadRequestSchema>;

export const ReadResponseSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        unread_count: z.number().int().nullable(),
        last_read: z.string().openapi({
          description:
            "The caller's read marker now: a portal message id, or for a Viben chat an ISO-8601 timestamp.",
        }),
      }),
    ),
  })
  .openapi("ReadResponse", {
    example: {
      items: [
        { id: "gc-42", unread_count: 0, last_read: "1710000000001-0" },
        { id: "gc-project-chat", unread_count: 0, last_read: "2026-03-10T12:00:00.000Z" },
      ],
    },
  });

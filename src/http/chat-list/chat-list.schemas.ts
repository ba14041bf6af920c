import { z } from "@hono/zod-openapi";
import { ChatListItemSchema, CountsSchema, ITEM_TYPES } from "../../core/items.js";
import { normalizeWorkspacePath } from "../../core/workspace-path.js";
import { SOURCE_STATUSES } from "../../sources/collect.js";
import { ProblemSchema } from "../problem.js";
import { chatListExample } from "./chat-list.examples.js";

const BOOLEAN_TEXT = ["true", "false", "1", "0"] as const;

export const ChatListQuerySchema = z.object({
  workspace_path: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return null;
      const checked = normalizeWorkspacePath(raw);
      if (checked.ok) return checked.path;
      ctx.addIssue({ code: "custom", message: checked.reason });
      return z.NEVER;
    })
    .openapi({
      param: {
        description:
          "Absolute path of the workspace whose agents and executor sessions count (at most 4096 characters, no NUL). Normalized before use: a trailing separator is dropped.",
      },
      example: "/home/ana/proj",
    }),
  include_global: z
    // Case-insensitive: clients send "False" and "TRUE" (Python's str(bool), .NET's ToString).
    .preprocess(
      (raw) => (typeof raw === "string" ? raw.toLowerCase() : raw),
      z.enum(BOOLEAN_TEXT, { error: 'must be one of "true", "false", "1", "0"' }).optional(),
    )
    .transform((raw) => raw === undefined || raw === "true" || raw === "1")
    .openapi({
      param: {
        description:
          "Include global resources (portal chats, global agents): `true`, `false`, `1` or `0`, in any case. Executors are always listed.",
      },
      example: "true",
    }),
  type: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return [...ITEM_TYPES];
      const asked = raw.split(",").map((part) => part.trim());
      const unknown = asked.filter((part) => !(ITEM_TYPES as readonly string[]).includes(part));
      if (unknown.length > 0 || asked.length === 0) {
        ctx.addIssue({
          code: "custom",
          message: `must be a comma list of ${ITEM_TYPES.join(", ")}`,
        });
        return z.NEVER;
      }
      return ITEM_TYPES.filter((type) => asked.includes(type));
    })
    .openapi({
      param: {
        description:
          "Only these item types (comma list of `group_chat`, `executor`, `agent`); `counts` follow the filter. Without it, every type.",
      },
      // Every type: /docs pre-fills "Try it out" with the example, which must hide nothing.
      example: "group_chat,executor,agent",
    }),
  limit: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return null;
      const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
      if (limit >= 1 && limit <= 500) return limit;
      ctx.addIssue({ code: "custom", message: "must be a whole number from 1 to 500" });
      return z.NEVER;
    })
    .openapi({
      param: { description: "Page size, 1 to 500; without it, the whole list." },
      example: "50",
    }),
  cursor: z
    .string()
    .max(2048, "is not a cursor from this gateway")
    .optional()
    .openapi({
      param: {
        description:
          "The `next_cursor` of the previous page, opaque (encrypted). Bound to the query (`workspace_path`, `include_global`, `type`) and to the caller; expires after an hour.",
      },
    }),
});
export type ChatListQuery = z.infer<typeof ChatListQuerySchema>;

export const SourceReportSchema = z
  .object({
    name: z.string().openapi({ example: "portal" }),
    kind: z.string().openapi({ example: "portal" }),
    status: z.enum(SOURCE_STATUSES).openapi({
      description:
        "ok: answered now or from a fresh cache; stale: served from cache because the upstream failed; error, timeout: no data; unauthorized: the upstream refused the credentials the caller sent; skipped: not needed by this request, or the caller sent no credentials for it (a portal without a `psession` cookie: `note` says so, and it was not called).",
    }),
    item_count: z.number().int(),
    duration_ms: z.number().openapi({ description: "Time this request spent on the source." }),
    age_ms: z
      .number()
      .nullable()
      .openapi({ description: "Age of the data served; 0 when fetched for this request." }),
    error: z.string().nullable().openapi({ description: "Short reason when not ok." }),
    note: z.string().nullable().openapi({
      description:
        "What a sidebar or an operator should know although the source answered: a workspace it refused, chats not yet dated, files counted from their tail.",
      example: "3 chats not yet dated (history budget)",
    }),
  })
  .openapi("SourceReport");

export const ChatListResponseSchema = z
  .object({
    items: z.array(ChatListItemSchema),
    counts: CountsSchema,
    sources: z.array(SourceReportSchema),
    complete: z.boolean().openapi({ description: "True only when every source is ok or skipped." }),
    workspace_path: z.string().nullable(),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
  })
  .openapi("ChatListResponse", { example: chatListExample });
export type ChatListResponse = z.infer<typeof ChatListResponseSchema>;

export const ChatListProblemSchema = ProblemSchema.extend({
  sources: z.array(SourceReportSchema).optional(),
  complete: z.boolean().optional(),
}).openapi("ChatListProblem");

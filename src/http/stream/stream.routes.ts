import { createRoute, z } from "@hono/zod-openapi";
import { ChatListItemSchema, CountsSchema } from "../../core/items.js";
import { ChatListQuerySchema, SourceReportSchema } from "../chat-list/chat-list.schemas.js";
import { LIST_SECURITY } from "../openapi.js";
import { problemResponses } from "../problem.js";

export const StreamQuerySchema = ChatListQuerySchema.pick({
  workspace_path: true,
  include_global: true,
  type: true,
});

/** The data of an `event: patch`. */
export const LivePatchSchema = z
  .object({
    upsert: z.array(ChatListItemSchema).openapi({
      description: "Whole items, new or changed: replace by id, then sort with the list's order.",
    }),
    remove: z.array(z.string()).openapi({ description: "Ids no longer in the list." }),
    counts: CountsSchema,
    sources: z.array(SourceReportSchema),
    complete: z.boolean(),
  })
  .openapi("LivePatch");

const EVENTS = `Server-Sent Events:

- \`retry: 3000\` first;
- \`event: snapshot\`, \`id: <version>\`, \`data:\` the body \`GET /api/chat-list\` would answer for the same query, whole (\`next_cursor: null\`; schema \`ChatListResponse\`);
- then \`event: patch\`, \`id: <version>\`, \`data:\` what changed (schema \`LivePatch\`): sent only when items, counts or completeness change, at most one per \`live.minIntervalMs\`;
- \`: ping\` comment lines at least every 15 s;
- \`event: shutdown\` when the gateway stops: reconnect (after \`retry\`).

Reconnecting with \`Last-Event-ID\` of a version the gateway still holds for this caller and query gets one patch from it; otherwise a fresh snapshot.`;

export const streamRoute = createRoute({
  method: "get",
  path: "/api/chat-list/stream",
  tags: ["chat list"],
  summary: "The list, kept current: a snapshot, then patches",
  description: `The same list as \`GET /api/chat-list\` (same parameters but paging, same credentials), pushed instead of polled. One refresh loop serves every stream of a caller and query, through the cache and within every budget; local sources are also watched on disk, and a read marker set from any device reaches every stream of that user at once.\n\n${EVENTS}`,
  security: LIST_SECURITY,
  request: { query: StreamQuerySchema },
  // Documented, not validated by the route: Hono's header validation builds a web Headers
  // object of the whole request, which node-server then keeps for the stream's lifetime. The
  // handler reads the one header it needs; an id it does not hold (too long, or unknown) gets a
  // snapshot, so a browser's EventSource, which gives up on an error status, always resumes.
  parameters: [
    {
      name: "Last-Event-ID",
      in: "header",
      required: false,
      schema: { type: "string", maxLength: 64 },
      description:
        "The `id` of the last event received, to resume from it; an id the gateway does not hold gets a new snapshot.",
    },
  ],
  responses: {
    200: {
      description: "An event stream (see the description for its events).",
      content: {
        "text/event-stream": {
          schema: z.string().openapi({
            example:
              'retry: 3000\n\nevent: snapshot\nid: k3x9a1-1\ndata: {"items":[],"counts":{"group_chats":0,"executors":0,"agents":0},"sources":[],"complete":true,"workspace_path":null,"next_cursor":null}\n\n',
          }),
        },
      },
    },
    ...problemResponses(400, 401, 421, 429, 503),
  },
});

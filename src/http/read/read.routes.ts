import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../middleware/json-body.js";
import { LIST_SECURITY } from "../openapi.js";
import { problemResponses } from "../problem.js";
import {
  MAX_READ_BODY_BYTES,
  ReadQuerySchema,
  ReadRequestSchema,
  ReadResponseSchema,
} from "./read.schemas.js";

export const readRoute = createRoute({
  method: "post",
  path: "/api/chat-list/read",
  tags: ["chat list"],
  summary: "Mark chats read, for every device of the caller",
  description:
    "Moves the caller's read markers forward (never back) for group chats the caller's list shows: portal chats and Viben group chats. All or nothing: an id the caller's list does not show is a 404 naming it, an item without read state (executors, agents, chats of a group-chat store) a 400, and then nothing is written. Chats whose markers belong to different identities (a portal chat and a local Viben chat) are written in one transaction of the store, so a store that fails writes none of them; a store that keeps each identity apart (the Durable Object on Workers) refuses such a body with a 400, writing nothing: send one request per identity there. `workspace_path` names the workspace whose chats may be marked, as in the list. The caller's next list, its ETag and its streams reflect the change at once.",
  security: LIST_SECURITY,
  middleware: jsonBody(MAX_READ_BODY_BYTES),
  request: {
    query: ReadQuerySchema,
    body: { required: true, content: { "application/json": { schema: ReadRequestSchema } } },
  },
  responses: {
    200: {
      description: "The markers after the call, and the unread counts they leave.",
      content: { "application/json": { schema: ReadResponseSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 413, 415, 421, 429, 500, 503),
  },
});

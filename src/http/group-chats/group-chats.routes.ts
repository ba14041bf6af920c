import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../middleware/json-body.js";
import { LIST_SECURITY } from "../openapi.js";
import { type ErrorCode, PROBLEM_CONTENT_TYPE, problemResponses } from "../problem.js";
import { problemExamples } from "../problem-examples.js";
import {
  ChatIdParamsSchema,
  CreateChatQuerySchema,
  CreateChatRequestSchema,
  CreateChatResponseSchema,
  MAX_WRITE_BODY_BYTES,
  SendMessageRequestSchema,
  SendMessageResponseSchema,
} from "./group-chats.schemas.js";

// Documented, read by the handler (see idempotencyKeyOf): a route's header schema would build
// a web Headers object of the whole request on Node.
const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  in: "header" as const,
  required: false,
  schema: { type: "string" as const, pattern: "^[A-Za-z0-9_.:~-]{1,64}$" },
  description:
    "Makes a retry safe: the first complete answer for this caller and key is kept 24 h and sent again (with `Idempotent-Replayed: true`) to any retry, from any device or gateway instance, without a second portal call. The same key while the first request is under way is a 409 `request_in_progress`; with another body, a 422 `idempotency_key_reused`. Refusals that may pass (401, 429, 5xx, timeouts) are not kept: a retry asks the portal again.",
};

/** The problems a write answers; where a status has codes of reads too, the examples shown are
 * the write's own (problem-examples.ts holds every code's example). */
function writeProblemResponses() {
  const responses = problemResponses(
    400,
    401,
    403,
    404,
    409,
    413,
    415,
    421,
    422,
    429,
    500,
    502,
    503,
    504,
  );
  const only = (status: keyof typeof responses, codes: ErrorCode[]) => ({
    ...responses[status],
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        ...responses[status].content[PROBLEM_CONTENT_TYPE],
        examples: problemExamples(codes),
      },
    },
  });
  return {
    ...responses,
    403: only(403, ["banned", "muted", "forbidden"]),
    409: only(409, ["epoch_mismatch", "no_room_key", "request_in_progress"]),
    422: only(422, ["invalid_content", "invalid_fields", "idempotency_key_reused"]),
    504: only(504, ["portal_timeout"]),
  };
}

const WRITE_NOTES =
  "Checked before any portal call (a 422 names each bad field). The caller's `psession` cookie goes to the portal, and the write is charged to the portal budgets. Read-your-writes: the result is in the caller's next list, its ETag, and every stream of the caller's identity (all devices) at once.";

export const createGroupChatRoute = createRoute({
  method: "post",
  path: "/api/chat-list/group-chats",
  tags: ["chat list"],
  summary: "Create a portal group chat",
  description: `Creates a private group chat in a portal source (the portal's \`POST /v1/portal/chats\`) and answers it as a list item. ${WRITE_NOTES}`,
  security: LIST_SECURITY,
  middleware: jsonBody(MAX_WRITE_BODY_BYTES),
  parameters: [IDEMPOTENCY_KEY],
  request: {
    query: CreateChatQuerySchema,
    body: { required: true, content: { "application/json": { schema: CreateChatRequestSchema } } },
  },
  responses: {
    201: {
      description: "The chat was created.",
      content: { "application/json": { schema: CreateChatResponseSchema } },
    },
    ...writeProblemResponses(),
  },
});

export const sendMessageRoute = createRoute({
  method: "post",
  path: "/api/chat-list/group-chats/{id}/messages",
  tags: ["chat list"],
  summary: "Send a message to a portal chat",
  description: `Sends a CiphertextV2 message to a portal chat of the caller's list (the portal's \`POST /v1/portal/chats/{chat_id}/messages\`). The content is end-to-end encrypted: the gateway checks its outer shape only and never logs, caches or traces it. The caller's read marker moves to the message (own messages are read) and the chat's \`last_active\` to its time. An id the caller's list does not show is a 404, with no portal call. ${WRITE_NOTES}`,
  security: LIST_SECURITY,
  middleware: jsonBody(MAX_WRITE_BODY_BYTES),
  parameters: [IDEMPOTENCY_KEY],
  request: {
    params: ChatIdParamsSchema,
    body: { required: true, content: { "application/json": { schema: SendMessageRequestSchema } } },
  },
  responses: {
    201: {
      description: "The portal took the message.",
      content: { "application/json": { schema: SendMessageResponseSchema } },
    },
    ...writeProblemResponses(),
  },
});

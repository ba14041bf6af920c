import { createRoute } from "@hono/zod-openapi";
import { LIST_SECURITY } from "../openapi.js";
import { type ErrorCode, PROBLEM_CONTENT_TYPE, problemResponses } from "../problem.js";
import { problemExamples } from "../problem-examples.js";
import { failedSources } from "./chat-list.examples.js";
import {
  ChatListProblemSchema,
  ChatListQuerySchema,
  ChatListResponseSchema,
} from "./chat-list.schemas.js";

/** A problem that lists the sources (401, 502, 504 of the list), with an example per code. */
const sourcesProblem = (description: string, codes: ErrorCode[]) => ({
  description,
  content: {
    [PROBLEM_CONTENT_TYPE]: {
      schema: ChatListProblemSchema,
      examples: problemExamples(codes, (code) =>
        code === "token_required" ? {} : { sources: failedSources[code] ?? [], complete: false },
      ),
    },
  },
});

const listHeaders = {
  "X-Chat-List-Complete": {
    description: "Repeats `complete`: true only when every source is ok or skipped.",
    schema: { type: "string" as const, enum: ["true", "false"] },
  },
  ETag: {
    description:
      "Weak validator over the items, counts, completeness and next cursor shown to this caller; send it back in `If-None-Match`.",
    schema: { type: "string" as const },
  },
  "Server-Timing": {
    description: "One entry per source (`dur`, `desc` = status) plus `total`.",
    schema: { type: "string" as const },
  },
};

export const chatListRoute = createRoute({
  method: "get",
  path: "/api/chat-list",
  tags: ["chat list"],
  summary: "Everything the caller can chat with, in one sorted list",
  description:
    "Fans out to the configured sources in parallel (portal group chats, executor registries, agent stores), merges and sorts the items by last activity, counts them, and reports which sources answered. Portal chats need the caller's `psession` cookie: without it the portal is `skipped` (not called), and the list is still complete when the other sources answered. Page with `limit` and `cursor`; revalidate with `If-None-Match`.",
  security: LIST_SECURITY,
  request: { query: ChatListQuerySchema },
  responses: {
    200: {
      description: "The list; `complete` says whether every source answered.",
      headers: listHeaders,
      content: { "application/json": { schema: ChatListResponseSchema } },
    },
    304: { description: "Not modified: `If-None-Match` names the current ETag. No body." },
    ...problemResponses(400, 421, 429, 500),
    401: sourcesProblem(
      "`unauthorized`: no source answered, and a source refused the caller's credentials or was skipped because none were sent (a portal without a `psession` cookie); the body lists the sources. `token_required`: `http.accessToken` is set and the request's Bearer token is missing or wrong.",
      ["unauthorized", "token_required"],
    ),
    502: sourcesProblem("No source answered, and not all of them timed out.", ["upstream_error"]),
    504: sourcesProblem("Every source that was asked timed out.", ["upstream_timeout"]),
  },
});

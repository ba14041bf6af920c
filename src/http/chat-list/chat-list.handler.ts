import type { RouteHandler } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import type { AppEnv } from "../app-env.js";
import type { Callers } from "../credentials.js";
import { headerOf } from "../request-header.js";
import { respond } from "../response-headers.js";
import type { chatListRoute } from "./chat-list.routes.js";
import type { ChatListResponse } from "./chat-list.schemas.js";
import type { ListAnswers } from "./list-answer.js";

/** The list route through Hono: validated query in, the shared list answer out. */
export function createChatListHandler(
  answer: ListAnswers,
  callers: Callers,
): RouteHandler<typeof chatListRoute, AppEnv> {
  return async (c) => {
    const waitUntil = c.get("waitUntil");
    const trace = c.get("trace");
    const answered = await answer(c.req.valid("query"), {
      caller: callers.of(c),
      requestId: c.get("requestId"),
      ifNoneMatch: headerOf(c, "if-none-match"),
      ...(waitUntil === undefined ? {} : { waitUntil }),
      ...(trace === undefined ? {} : { trace }),
    });
    c.set("sourceLog", answered.sourceLog);
    // Plain header objects (respond): the warm path builds no web Headers at all.
    return respond(c, answered.body, answered.status, answered.headers) as unknown as Response &
      TypedResponse<ChatListResponse, 200, "json">;
  };
}

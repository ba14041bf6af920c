import type { RouteHandler } from "@hono/zod-openapi";
import type { Clock } from "../../core/clock.js";
import { assembleList } from "../../core/merge.js";
import type { Collector } from "../../sources/collect.js";
import type { AppEnv } from "../app-env.js";
import { psessionFrom } from "../credentials.js";
import { ERROR_CODES, PROBLEM_CONTENT_TYPE, problem } from "../problem.js";
import {
  failureDetail,
  isComplete,
  outcomeOf,
  serverTiming,
  sourceLog,
} from "./chat-list.response.js";
import type { chatListRoute } from "./chat-list.routes.js";

export interface ChatListHandlerDeps {
  collector: Collector;
  clock: Clock;
}

export function createChatListHandler({
  collector,
  clock,
}: ChatListHandlerDeps): RouteHandler<typeof chatListRoute, AppEnv> {
  return async (c) => {
    const started = clock.now();
    const query = c.req.valid("query");
    const waitUntil = c.get("waitUntil");
    const collected = await collector.collect(
      { workspacePath: query.workspace_path, includeGlobal: query.include_global },
      { psession: psessionFrom(c.req.header("cookie")) },
      waitUntil === undefined ? {} : { waitUntil },
    );
    const sources = collected.map((entry) => entry.report);
    const complete = isComplete(sources);
    c.set("sourceLog", sourceLog(collected));
    c.header("Cache-Control", "private, no-cache");
    c.header("X-Chat-List-Complete", String(complete));
    c.header("Server-Timing", serverTiming(sources, clock.now() - started));

    const outcome = outcomeOf(sources);
    if (outcome !== "ok") {
      const body = problem(outcome, failureDetail(sources), {
        sources,
        complete,
        request_id: c.get("requestId"),
      });
      const status = ERROR_CODES[outcome].status as 401 | 502 | 504;
      return c.json(body, status, { "Content-Type": PROBLEM_CONTENT_TYPE });
    }
    const { items, counts } = assembleList(collected.map((entry) => entry.items));
    return c.json(
      { items, counts, sources, complete, workspace_path: query.workspace_path, next_cursor: null },
      200,
    );
  };
}

import type { RouteHandler } from "@hono/zod-openapi";
import { sha256Hex } from "../../cache/cache-key.js";
import type { Clock } from "../../core/clock.js";
import { assembleList } from "../../core/merge.js";
import { pageAfter } from "../../core/paging.js";
import type { SortKey } from "../../core/sort.js";
import type { Collector } from "../../sources/collect.js";
import type { AppEnv } from "../app-env.js";
import { psessionFrom } from "../credentials.js";
import { ApiError, ERROR_CODES, PROBLEM_CONTENT_TYPE, problem } from "../problem.js";
import {
  failureDetail,
  isComplete,
  matchesEtag,
  outcomeOf,
  serverTiming,
  sourceLog,
} from "./chat-list.response.js";
import type { chatListRoute } from "./chat-list.routes.js";
import type { CursorCodec } from "./cursor.js";

export interface ChatListHandlerDeps {
  collector: Collector;
  clock: Clock;
  cursors: CursorCodec;
}

export function createChatListHandler({
  collector,
  clock,
  cursors,
}: ChatListHandlerDeps): RouteHandler<typeof chatListRoute, AppEnv> {
  return async (c) => {
    const started = clock.now();
    const query = c.req.valid("query");
    // What a cursor is bound to: the parts of the query that decide the list.
    const binding = JSON.stringify([query.workspace_path, query.include_global, query.type]);
    let after: SortKey | null = null;
    if (query.cursor !== undefined) {
      const checked = await cursors.decode(query.cursor, binding);
      if (!checked.ok) throw new ApiError("invalid_cursor", `cursor ${checked.reason}`);
      after = checked.key;
    }

    const psession = psessionFrom(c.req.header("cookie"));
    const waitUntil = c.get("waitUntil");
    const collected = await collector.collect(
      {
        workspacePath: query.workspace_path,
        includeGlobal: query.include_global,
        types: query.type,
      },
      { psession },
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
    const page = pageAfter(items, after, query.limit);
    const next_cursor = page.next === null ? null : await cursors.encode(page.next, binding);

    // A weak ETag over what the sidebar shows, and over the caller: one user's ETag never
    // matches another's list. Timings and ages are left out, so an unchanged list revalidates.
    const shown = JSON.stringify([page.items, counts, complete, page.next]);
    const etag = `W/"${(await sha256Hex(`${psession === null ? "-" : await sha256Hex(psession)}\n${shown}`)).slice(0, 32)}"`;
    c.header("ETag", etag);
    if (matchesEtag(c.req.header("if-none-match"), etag)) return c.body(null, 304);
    return c.json(
      {
        items: page.items,
        counts,
        sources,
        complete,
        workspace_path: query.workspace_path,
        next_cursor,
      },
      200,
    );
  };
}

import type { RouteHandler } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import type { Clock } from "../../core/clock.js";
import type { SortKey } from "../../core/sort.js";
import type { Collector } from "../../sources/collect.js";
import type { ReadState } from "../../state/read-state.js";
import { readableSources, withUnreadCounts } from "../../state/unread-counts.js";
import type { AppEnv } from "../app-env.js";
import { callerOf } from "../credentials.js";
import { ApiError, ERROR_CODES, PROBLEM_CONTENT_TYPE, problem } from "../problem.js";
import { headerOf } from "../request-header.js";
import { respond } from "../response-headers.js";
import {
  failureDetail,
  isComplete,
  matchesEtag,
  outcomeOf,
  serverTiming,
  sourceLog,
} from "./chat-list.response.js";
import type { chatListRoute } from "./chat-list.routes.js";
import type { ChatListResponse } from "./chat-list.schemas.js";
import { withCollisionNotes } from "./collision-notes.js";
import type { CursorCodec } from "./cursor.js";
import type { ListViews } from "./list-view.js";
import { withUnavailableNotes } from "./unread-notes.js";

export interface ChatListHandlerDeps {
  collector: Collector;
  clock: Clock;
  cursors: CursorCodec;
  views: ListViews;
  readState: ReadState;
}

export function createChatListHandler({
  collector,
  clock,
  cursors,
  views,
  readState,
}: ChatListHandlerDeps): RouteHandler<typeof chatListRoute, AppEnv> {
  return async (c) => {
    const started = clock.now();
    const query = c.req.valid("query");
    // What a cursor is bound to: the parts of the query that decide the list.
    const binding = JSON.stringify([query.workspace_path, query.include_global, query.type]);
    const { psession, psessionHash } = callerOf(c);
    // Who the list (its ETag, its views, its cursors) belongs to.
    const callerKey = psessionHash ?? "-";
    let after: SortKey | null = null;
    if (query.cursor !== undefined) {
      const checked = await cursors.decode(query.cursor, binding, callerKey);
      if (!checked.ok) throw new ApiError("invalid_cursor", `cursor ${checked.reason}`);
      after = checked.key;
    }

    const waitUntil = c.get("waitUntil");
    const trace = c.get("trace");
    const collected = await collector.collect(
      {
        workspacePath: query.workspace_path,
        includeGlobal: query.include_global,
        types: query.type,
      },
      { psession, psessionHash },
      { ...(waitUntil === undefined ? {} : { waitUntil }), ...(trace ? { trace } : {}) },
    );
    const markers = await readState.snapshot(readableSources(collected), trace);
    const sources = withUnavailableNotes(collected, markers.unavailable);
    const complete = isComplete(sources);
    c.set("sourceLog", sourceLog(collected));
    const headers: Record<string, string> = {
      "Cache-Control": "private, no-cache",
      "X-Chat-List-Complete": String(complete),
      "Server-Timing": serverTiming(sources, clock.now() - started),
    };

    const outcome = outcomeOf(sources);
    if (outcome !== "ok") {
      for (const name in headers) c.header(name, headers[name]);
      const body = problem(outcome, failureDetail(sources), {
        sources,
        complete,
        request_id: c.get("requestId"),
      });
      const status = ERROR_CODES[outcome].status as 401 | 502 | 504;
      return c.json(body, status, { "Content-Type": PROBLEM_CONTENT_TYPE });
    }

    const view = await views.viewOf(collected, {
      callerKey,
      binding,
      after,
      cursor: query.cursor,
      limit: query.limit,
      complete,
      now: clock.now(),
      markersVersion: markers.version,
      itemsOf: (entry) => withUnreadCounts(entry, markers),
    });
    headers.ETag = view.etag;
    // Plain header objects (respond): the warm path builds no web Headers at all.
    if (matchesEtag(headerOf(c, "if-none-match"), view.etag))
      return respond(c, null, 304, headers) as unknown as Response &
        TypedResponse<ChatListResponse, 200, "json">;
    // Serialized by hand from the memoized parts; only the per-request fields are new.
    const reports = withCollisionNotes(sources, view.collisionNotes);
    const body =
      `{"items":${view.itemsJson},"counts":${view.countsJson},"sources":${JSON.stringify(reports)},` +
      `"complete":${complete},"workspace_path":${JSON.stringify(query.workspace_path)},"next_cursor":${view.nextCursorJson}}`;
    headers["Content-Type"] = "application/json";
    return respond(c, body, 200, headers) as unknown as Response &
      TypedResponse<ChatListResponse, 200, "json">;
  };
}

import type { Clock } from "../../core/clock.js";
import type { SortKey } from "../../core/sort.js";
import type { TraceContext } from "../../observability/tracing.js";
import type { Collector } from "../../sources/collect.js";
import type { ReadState } from "../../state/read-state.js";
import { readableSources, withUnreadCounts } from "../../state/unread-counts.js";
import type { AppVariables } from "../app-env.js";
import type { Caller } from "../credentials.js";
import { ApiError, ERROR_CODES, PROBLEM_CONTENT_TYPE, problem } from "../problem.js";
import {
  failureDetail,
  isComplete,
  matchesEtag,
  outcomeOf,
  serverTiming,
  sourceLog,
} from "./chat-list.response.js";
import type { ChatListQuery } from "./chat-list.schemas.js";
import { withCollisionNotes } from "./collision-notes.js";
import type { CursorCodec } from "./cursor.js";
import type { ListViews } from "./list-view.js";
import { withUnavailableNotes } from "./unread-notes.js";

const utf8 = new TextEncoder();

// What a cursor is bound to: the parts of the query that decide the list. Kept per query
// object: the direct path hands over the same frozen query for the same query string.
const bindings = new WeakMap<ChatListQuery, string>();
function bindingOf(query: ChatListQuery): string {
  let binding = bindings.get(query);
  if (binding === undefined) {
    binding = JSON.stringify([query.workspace_path, query.include_global, query.type]);
    bindings.set(query, binding);
  }
  return binding;
}

/** One list request, as every runtime path hands it over. */
export interface ListRequest {
  caller: Caller;
  requestId: string;
  ifNoneMatch: string | undefined;
  /** Workers: keeps a background refresh alive after the response. */
  waitUntil?: (work: Promise<unknown>) => void;
  /** The request's span, the parent of each source's. */
  trace?: TraceContext;
}

/** What the list answers, before the security headers and the request id are added. */
export interface ListAnswer {
  status: 200 | 304 | 401 | 502 | 504;
  headers: Record<string, string>;
  /** A list's JSON as UTF-8 bytes, a problem's as text; null for a 304. */
  body: Uint8Array<ArrayBuffer> | string | null;
  /** Each source's part, for the request log. */
  sourceLog: NonNullable<AppVariables["sourceLog"]>;
}

export interface ListAnswersDeps {
  collector: Collector;
  clock: Clock;
  cursors: CursorCodec;
  views: ListViews;
  readState: ReadState;
}

/**
 * GET /api/chat-list without the framework: collect every source, apply the caller's read
 * markers, page the memoized view and serialize it. The Hono route and the runtimes' direct
 * path (list-fast-path.ts) both answer through this one function. Throws ApiError
 * (invalid_cursor) for a cursor that is not this caller's and query's.
 */
export function createListAnswers({
  collector,
  clock,
  cursors,
  views,
  readState,
}: ListAnswersDeps) {
  return async function answer(query: ChatListQuery, request: ListRequest): Promise<ListAnswer> {
    const started = clock.now();
    const binding = bindingOf(query);
    const { psession, psessionHash } = request.caller;
    // Who the list (its ETag, its views, its cursors) belongs to.
    const callerKey = psessionHash ?? "-";
    let after: SortKey | null = null;
    if (query.cursor !== undefined) {
      const checked = await cursors.decode(query.cursor, binding, callerKey);
      if (!checked.ok) throw new ApiError("invalid_cursor", `cursor ${checked.reason}`);
      after = checked.key;
    }

    const { waitUntil, trace } = request;
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
    const log = sourceLog(collected);
    const headers: Record<string, string> = {
      "Cache-Control": "private, no-cache",
      "X-Chat-List-Complete": String(complete),
      "Server-Timing": serverTiming(sources, clock.now() - started),
    };

    const outcome = outcomeOf(collected);
    if (outcome !== "ok") {
      const body = problem(outcome, failureDetail(collected), {
        sources,
        complete,
        request_id: request.requestId,
      });
      headers["Content-Type"] = PROBLEM_CONTENT_TYPE;
      const status = ERROR_CODES[outcome].status as 401 | 502 | 504;
      return { status, headers, body: JSON.stringify(body), sourceLog: log };
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
    if (matchesEtag(request.ifNoneMatch, view.etag))
      return { status: 304, headers, body: null, sourceLog: log };
    // The view's bytes, then the per-request fields: only those are serialized and encoded.
    const reports = withCollisionNotes(sources, view.collisionNotes);
    headers["Content-Type"] = "application/json";
    const tail = utf8.encode(
      `${JSON.stringify(reports)},"complete":${complete},"workspace_path":${JSON.stringify(query.workspace_path)},"next_cursor":${view.nextCursorJson}}`,
    );
    const body = new Uint8Array(view.head.byteLength + tail.byteLength);
    body.set(view.head);
    body.set(tail, view.head.byteLength);
    return { status: 200, headers, body, sourceLog: log };
  };
}

export type ListAnswers = ReturnType<typeof createListAnswers>;

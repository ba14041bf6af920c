import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { DiskWatchers } from "../../live/disk-watchers.js";
import type { SseSink } from "../../live/sse.js";
import type { LiveStreams, StreamRequest } from "../../live/streams.js";
import { endSpan, startSpan, UNTRACED } from "../../observability/tracing.js";
import type { Collector } from "../../sources/collect.js";
import type { Source, SourceQuery } from "../../sources/source.js";
import type { ReadState } from "../../state/read-state.js";
import { readableSources } from "../../state/unread-counts.js";
import { createDeadline } from "../../upstream/deadline.js";
import type { AppEnv } from "../app-env.js";
import { createListBodies } from "../chat-list/list-body.js";
import { type ClientAddressResolver, clientAddressOf } from "../client-address.js";
import type { Callers } from "../credentials.js";
import { ApiError } from "../problem.js";
import { headerOf } from "../request-header.js";
import { framedHeaders, markComplete, respond } from "../response-headers.js";
import type { streamRoute } from "./stream.routes.js";

export interface StreamHandlerDeps {
  collector: Collector;
  readState: ReadState;
  streams: LiveStreams;
  callers: Callers;
  clientAddress: ClientAddressResolver;
  refreshMs: number;
  minIntervalMs: number;
  /** The sources that read the disk: a watcher's event loads them again. */
  localSources: readonly Source[];
  /** Node: watches the local sources' directories while a feed has streams. */
  watchers?: DiskWatchers;
  /** Node: what was read from a path on disk is read again (the local scanner's). */
  invalidate?: (path: string) => void;
  /** How to cut a request's connection (a slow stream reader), where the runtime can. It keeps
   * only the connection, not the request: a stream lives long, and so does what it holds. */
  cutConnection?: (c: Context<AppEnv>) => (() => void) | undefined;
  /** Node: writes a stream straight to its connection, without a web ReadableStream. */
  directStreams?: DirectStreams;
  /** Workers: hands the stream to the caller's identity's Durable Object, which holds all of
   * that identity's streams and hears every marker change of theirs (DESIGN §9). */
  forward?: {
    /** The sources that can tell who the caller is (portal sources). */
    identifiers: readonly Source[];
    /** `requestId` goes with it, so the object's log lines carry the same id as this one's. */
    to(identity: string, request: Request, requestId: string): Promise<Response>;
  };
}

/**
 * How a runtime writes streams to their connections itself (Node: the ServerResponse).
 * `connection` gives the request's connection, holding nothing else of the request, or
 * undefined where there is none; `sent` is what the handler returns once it has answered.
 */
export interface DirectStreams {
  connection(c: Context<AppEnv>): ((headers: Record<string, string>) => SseSink) | undefined;
  sent: Response;
}

// Who the caller is must be known quickly, or the stream is served here after all.
const IDENTIFY_TIMEOUT_MS = 2000;

const STREAM_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  // Proxies such as nginx would otherwise hold events back to fill a buffer.
  "X-Accel-Buffering": "no",
};

/** GET /api/chat-list/stream (DESIGN §9): joins the feed of the caller's query, or starts it. */
export function createStreamHandler(
  deps: StreamHandlerDeps,
): RouteHandler<typeof streamRoute, AppEnv> {
  const localNames = new Set(deps.localSources.map((source) => source.name));
  const { watchers } = deps;
  const watchLocal =
    watchers === undefined || deps.localSources.length === 0
      ? undefined
      : (query: SourceQuery) => async (onChange: () => void, unseen: boolean) => {
          const dirs = (
            await Promise.all(
              deps.localSources.map((source) => source.watchDirs?.(query) ?? Promise.resolve([])),
            )
          ).flat();
          // Changes made while the feed slept unwatched: what was counted there is counted again.
          if (unseen) for (const dir of dirs) deps.invalidate?.(dir);
          return watchers.subscribe(dirs, onChange);
        };
  async function identityOf(credentials: { psession: string | null; psessionHash: string | null }) {
    for (const source of deps.forward?.identifiers ?? []) {
      // Disposed once answered, so no timer outlives the question (see createDeadline).
      const deadline = createDeadline(IDENTIFY_TIMEOUT_MS);
      const identity = await source
        .identify?.(credentials, deadline.signal)
        .catch(() => null)
        .finally(() => deadline.dispose());
      if (typeof identity === "string") return identity;
    }
    return null;
  }

  return async (c) => {
    const query = c.req.valid("query");
    // HEAD (which Hono routes here as GET): the headers a stream would have, and no stream —
    // one opened for a response without a body would hold its slot until it filled.
    if (c.req.method === "HEAD")
      return respond(c, null, 200, STREAM_HEADERS) as unknown as Response;
    const caller = deps.callers.of(c);
    if (deps.forward !== undefined) {
      const identity = await identityOf(caller);
      if (identity !== null) return deps.forward.to(identity, c.req.raw, c.get("requestId"));
    }
    const address = clientAddressOf(c, deps.clientAddress);
    const binding = JSON.stringify([query.workspace_path, query.include_global, query.type]);
    const sourceQuery = {
      workspacePath: query.workspace_path,
      includeGlobal: query.include_global,
      types: query.type,
    };
    // The stream's whole lifetime, which outlasts the request's span: it ends when the stream
    // does. A feed this stream starts loads its first list under it; later refreshes belong
    // to no request and are not traced.
    const sentId = headerOf(c, "last-event-id");
    const lastEventId = sentId !== undefined && sentId.length <= 64 ? sentId : undefined;
    const lifetime = startSpan("live stream", c.get("trace") ?? UNTRACED, {
      "chat_list.stream.resumed": lastEventId !== undefined,
    });
    const connection = deps.directStreams?.connection(c);
    // The sink is kept with the stream: it must hold the request id, not the request's context
    // (which holds the whole request for as long as the stream lives).
    const requestId = c.get("requestId");
    const opened = deps.streams.open(
      streamRequest(deps, {
        // Called by open() at once, once the stream is admitted.
        sink:
          connection === undefined
            ? undefined
            : () => connection(framedHeaders(requestId, STREAM_HEADERS)),
        feedKey: `${caller.psessionHash ?? "-"}\n${binding}`,
        callerKey: caller.psessionHash ?? `address:${address}`,
        addressKey: address,
        lastEventId,
        cut: deps.cutConnection?.(c),
        lifetime,
        sourceQuery,
        credentials: { psession: caller.psession, psessionHash: caller.psessionHash },
        workspacePath: query.workspace_path,
        localNames,
        watch: watchLocal?.(sourceQuery),
      }),
    );
    if (!opened.ok) {
      endSpan(lifetime, opened.reason);
      c.header("Retry-After", String(opened.retryAfterS));
      throw new ApiError(opened.status === 429 ? "too_many_streams" : "overloaded", opened.reason);
    }
    if (opened.readable === null) return markComplete(deps.directStreams?.sent as Response);
    // A plain header object (respond): node-server keeps the response for the stream's whole
    // life, and a web Headers object with every header in it was a kilobyte of each stream.
    return respond(c, opened.readable, 200, STREAM_HEADERS) as unknown as Response;
  };
}

/**
 * What opening one stream needs, built outside the handler so that nothing the stream keeps
 * for its lifetime (the feed's loader, the close callback) holds on to the request's context.
 */
function streamRequest(
  deps: StreamHandlerDeps,
  stream: {
    feedKey: string;
    callerKey: string;
    addressKey: string;
    lastEventId: string | undefined;
    cut: (() => void) | undefined;
    lifetime: ReturnType<typeof startSpan>;
    sourceQuery: SourceQuery;
    credentials: { psession: string | null; psessionHash: string | null };
    workspacePath: string | null;
    localNames: ReadonlySet<string>;
    watch: ((onChange: () => void, unseen: boolean) => Promise<() => void>) | undefined;
    sink: (() => SseSink) | undefined;
  },
): StreamRequest {
  const { lifetime, sourceQuery, credentials } = stream;
  const identities = new Set<string>();
  // The feed's sources that refused its cookie: not asked again while the feed lives (a new
  // session is a new cookie, hence a new feed).
  const refusals = new Map<string, string>();
  // The feed's list, rebuilt only when a source's result or the markers changed.
  const listBody = createListBodies();
  return {
    feedKey: stream.feedKey,
    callerKey: stream.callerKey,
    addressKey: stream.addressKey,
    identities,
    lastEventId: stream.lastEventId,
    ...(stream.cut === undefined ? {} : { cut: stream.cut }),
    ...(stream.sink === undefined ? {} : { sink: stream.sink }),
    onClose: (reason) => {
      lifetime?.span.setAttribute("chat_list.stream.end", reason);
      endSpan(lifetime, reason === "slow" ? "client too slow: dropped" : null);
    },
    feed: () => ({
      refreshMs: deps.refreshMs,
      minIntervalMs: deps.minIntervalMs,
      ...(stream.watch === undefined ? {} : { watch: stream.watch }),
      async load(reason) {
        const trace = reason === "start" && lifetime !== null ? lifetime.context : UNTRACED;
        const collected = await deps.collector.collect(sourceQuery, credentials, {
          awaitRefresh: true,
          refusals,
          ...(reason === "disk" || reason === "wake" ? { reload: stream.localNames } : {}),
          ...(trace === UNTRACED ? {} : { trace }),
        });
        for (const entry of collected)
          if (typeof entry.identity === "string") identities.add(entry.identity);
        const markers = await deps.readState.snapshot(readableSources(collected), trace);
        return listBody(collected, markers, stream.workspacePath);
      },
    }),
  };
}

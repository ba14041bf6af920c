import { getQueryParams } from "hono/utils/url";
import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import { UNKNOWN_CLIENT } from "../client-address.js";
import type { Callers } from "../credentials.js";
import { errorProblem, PROBLEM_HEADERS } from "../errors.js";
import { TOKEN_CHALLENGE } from "../middleware/access-token.js";
import { beginRequest } from "../middleware/observe-request.js";
import { queryEncodingErrors } from "../middleware/query-encoding.js";
import { type RateLimiter, rateLimited } from "../middleware/rate-limit.js";
import { requestLogEvent } from "../middleware/request-log.js";
import { checkUrlLength } from "../middleware/url-limit.js";
import { framedHeaders, requestIdFrom } from "../response-headers.js";
import { type ChatListQuery, ChatListQuerySchema } from "./chat-list.schemas.js";
import type { ListAnswer, ListAnswers } from "./list-answer.js";

const ROUTE = "/api/chat-list";

/** A request as a runtime hands it to the direct path, before any framework has seen it. */
export interface DirectRequest {
  method: string;
  /** The request target: path and query, as sent. */
  target: string;
  /** One header by lower-case name; repeated headers joined as the runtime joins them. */
  header(name: string): string | undefined;
  /** The client's address as the rate limits and the log see it, where the runtime knows it. */
  clientAddress(): string | undefined;
  /** Workers: keeps a background refresh alive after the response. */
  waitUntil?: (work: Promise<unknown>) => void;
}

/** A whole answer: status, every header it carries, and its body. */
export interface DirectResponse {
  status: number;
  headers: Record<string, string>;
  /** A list as UTF-8 bytes, a problem as text, null for a 304. */
  body: Uint8Array<ArrayBuffer> | string | null;
}

export interface ListFastPathDeps {
  answer: ListAnswers;
  callers: Callers;
  limiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  maxUrlBytes: number;
  /** The Host check (421), where the app has one. */
  checkHost?: (host: string) => void;
  /** The access-token check (401), when http.accessToken is set. */
  checkToken?: (authorization: string | undefined) => void;
  /** http.corsOrigins: a request with an Origin is left to the app's CORS middleware. */
  corsOrigins: readonly string[];
}

/**
 * `GET /api/chat-list` answered without the framework, with the app's own rules in the app's
 * order: request id and security headers, span and metrics, Host check, URL length, access
 * token, rate limits, then the shared list answer, and the request's log line. Each rule is the
 * function the app's middleware calls, so a behaviour has one definition; what this path costs
 * less is the framework around them — the request and response objects, the middleware chain and
 * validating the same query again — which on a cached list cost several times the list itself.
 *
 * Returns null for any request it does not take, before touching any state (a rate-limit
 * bucket, a source): another method or path, a query the schema refuses (the app answers its
 * 400), an Origin to answer with CORS headers. The caller then hands the request to the app.
 */
export function createListFastPath(deps: ListFastPathDeps) {
  const { answer, limiter, clock, logger, metrics } = deps;
  // Validated queries by query string: the same string always validates to the same query, and
  // a sidebar sends the same few strings over and over. Refused ones are remembered as such.
  const queries = new LRUCache<string, ChatListQuery | { refused: true }>({
    max: 1_000,
    maxSize: 1 << 20,
    sizeCalculation: (_, search) => Math.max(1, search.length),
  });

  function queryOf(target: string): ChatListQuery | null {
    const search = target.length === ROUTE.length ? "" : target.slice(ROUTE.length);
    let query = queries.get(search);
    if (query === undefined) {
      query = parseQuery(target) ?? { refused: true };
      queries.set(search, query);
    }
    return "refused" in query ? null : query;
  }

  async function serve(request: DirectRequest, host: string, query: ChatListQuery) {
    const requestId = requestIdFrom(request.header("x-request-id"));
    const observed = beginRequest(metrics, ROUTE, "GET", request.header("traceparent"));
    const started = clock.now();
    const client = request.clientAddress() ?? UNKNOWN_CLIENT;
    let response: DirectResponse;
    let sourceLog: ListAnswer["sourceLog"] | undefined;
    // Headers a refusal carries besides the problem's own.
    const extra: Record<string, string> = {};
    try {
      deps.checkHost?.(host);
      checkUrlLength(request.target, deps.maxUrlBytes);
      try {
        deps.checkToken?.(request.header("authorization"));
      } catch (error) {
        extra["WWW-Authenticate"] = TOKEN_CHALLENGE;
        throw error;
      }
      const caller = deps.callers.from(request.header("cookie"));
      const waitS = limiter.admit(client, caller.psessionHash);
      if (waitS !== null) {
        extra["Retry-After"] = String(waitS);
        throw rateLimited(waitS);
      }
      const { waitUntil } = request;
      const answered = await answer(query, {
        caller,
        requestId,
        ifNoneMatch: request.header("if-none-match"),
        ...(waitUntil === undefined ? {} : { waitUntil }),
        ...(observed.trace === undefined ? {} : { trace: observed.trace }),
      });
      sourceLog = answered.sourceLog;
      response = {
        status: answered.status,
        headers: framedHeaders(requestId, answered.headers),
        body: answered.body,
      };
    } catch (error) {
      const problem = errorProblem(error, requestId, logger);
      response = {
        status: problem.status,
        headers: framedHeaders(requestId, { ...extra, ...PROBLEM_HEADERS }),
        body: JSON.stringify(problem.body),
      };
    }
    observed.finish(response.status);
    logger.info(
      requestLogEvent({
        requestId,
        method: "GET",
        path: ROUTE,
        client,
        status: response.status,
        durationMs: clock.now() - started,
        trace: observed.trace,
        sources: sourceLog,
      }),
    );
    return response;
  }

  /** The answer to `request`, or null when the app must answer it (see above). */
  return function take(request: DirectRequest): Promise<DirectResponse> | null {
    const { target } = request;
    if (request.method !== "GET" || !target.startsWith(ROUTE)) return null;
    if (target.length > ROUTE.length && target.charCodeAt(ROUTE.length) !== 63 /* ? */) return null;
    if (deps.corsOrigins.length > 0 && request.header("origin") !== undefined) return null;
    const host = request.header("host");
    if (host === undefined) return null;
    const query = queryOf(target);
    if (query === null) return null;
    return serve(request, host, query);
  };
}

export type ListFastPath = ReturnType<typeof createListFastPath>;

/** The query of `target` as the route's validator reads it (Hono's own parser, each name once
 * a string and repeated a list), or null when the app would refuse it with a 400. */
function parseQuery(target: string): ChatListQuery | null {
  if (target.includes("#") || queryEncodingErrors(target).length > 0) return null;
  // Hono's parser looks for "?" from the eighth character on, as in an absolute URL.
  const params = getQueryParams(`http://h${target}`) as Record<string, string[]>;
  const raw: Record<string, string | string[]> = {};
  for (const name in params) {
    const values = params[name] as string[];
    raw[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const parsed = ChatListQuerySchema.safeParse(raw);
  if (!parsed.success) return null;
  Object.freeze(parsed.data.type);
  return Object.freeze(parsed.data);
}

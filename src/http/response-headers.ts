import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.js";
import type { RawHeadersOf } from "./request-header.js";
import { headerOf } from "./request-header.js";

/**
 * What every response carries against being framed, sniffed or leaking its URL (the values of
 * Hono's secureHeaders defaults, less the two cross-origin policies that would stop a sidebar
 * on another origin from embedding what it fetched).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Cross-Origin-Opener-Policy": "same-origin",
  "Origin-Agent-Cluster": "?1",
  "Referrer-Policy": "no-referrer",
  "Strict-Transport-Security": "max-age=15552000; includeSubDomains",
  "X-Content-Type-Options": "nosniff",
  "X-DNS-Prefetch-Control": "off",
  "X-Download-Options": "noopen",
  "X-Frame-Options": "SAMEORIGIN",
  "X-Permitted-Cross-Domain-Policies": "none",
  "X-XSS-Protection": "0",
});

/** A client's request id is kept when short and of [A-Za-z0-9_=-], since it goes into every
 * log line and problem body; otherwise one is generated. */
const CLIENT_REQUEST_ID = /^[\w=-]{1,64}$/;

/** The request id: the client's X-Request-Id when it is a safe one, else a new UUID. */
export function requestIdFrom(sent: string | undefined): string {
  return sent !== undefined && CLIENT_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
}

/** Responses built by `respond`, which already carry every header below. */
const complete = new WeakSet<Response>();

/**
 * Outermost: gives the request its id and, on the way out, every response its security headers
 * and `X-Request-Id`. A response built by `respond` has them already, in the plain header object
 * it was built with — so the hot path never builds a web `Headers` object, which node-server
 * would otherwise turn back into Node's header object on every write. Any other response (a
 * problem, the docs, a stream) gets them set on its Headers here.
 */
export function requestFrame(rawHeadersOf: RawHeadersOf): MiddlewareHandler<AppEnv> {
  return async function frame(c, next) {
    const raw = rawHeadersOf(c);
    if (raw !== undefined) c.set("rawHeaders", raw);
    c.set("requestId", requestIdFrom(headerOf(c, "x-request-id")));
    await next();
    const response = c.res;
    if (complete.has(response) || c.get("passedThrough")) return;
    const { headers } = response;
    for (const [name, value] of Object.entries(withFrameHeaders(c, {}))) headers.set(name, value);
  };
}

/**
 * A response with `headers` (a plain object) plus the security headers and the request id,
 * marked so `requestFrame` leaves it alone. For routes on the hot path.
 */
export function respond(
  c: Context<AppEnv>,
  body: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null,
  status: number,
  headers: Record<string, string>,
): Response {
  return markComplete(new Response(body, { status, headers: withFrameHeaders(c, headers) }));
}

/** `headers` with the security headers and the request id: all that a response carries. */
export function withFrameHeaders(
  c: Context<AppEnv>,
  headers: Record<string, string>,
): Record<string, string> {
  return framedHeaders(c.get("requestId"), headers);
}

/** `headers` with the security headers and the request id `requestId`. */
export function framedHeaders(
  requestId: string,
  headers: Record<string, string>,
): Record<string, string> {
  return { ...SECURITY_HEADERS, "X-Request-Id": requestId, ...headers };
}

/** Marks a response as carrying its headers already (or as written by other means), so
 * `requestFrame` leaves it alone. */
export function markComplete(response: Response): Response {
  complete.add(response);
  return response;
}

import type { Context, Handler } from "hono";
import type { Logger } from "../core/logger.js";
import type { AppEnv } from "../http/app-env.js";
import { type ClientAddressResolver, clientAddressOf } from "../http/client-address.js";
import { ApiError } from "../http/problem.js";
import { SECURITY_HEADERS } from "../http/response-headers.js";
import { traceparentFor } from "../observability/tracing.js";
import { BackendError, type BackendSend, type WebSocketUpgrade } from "./backend.js";
import {
  backendRequestHeaders,
  callerResponseHeaders,
  forwardedFor,
  offeredSubprotocols,
} from "./forward-headers.js";
import { isGatewayPath } from "./own-paths.js";

/** The route path the pass-through is registered under: every path. */
export const PASS_THROUGH_PATH = "/*";

const passThroughHandlers = new WeakSet<object>();

/** Whether a matched route's handler is a pass-through: its requests are labelled `proxy` in
 * metrics and traces, never with the path a caller typed. (Its route path cannot tell: Hono's
 * middleware is registered under "/*" too.) */
export function isPassThrough(handler: object): boolean {
  return passThroughHandlers.has(handler);
}

export interface PassThroughOptions {
  /** proxy.baseUrl, without a trailing slash. */
  baseUrl: string;
  /** No answer headers from the backend within this → 504. */
  timeoutMs: number;
  send: BackendSend;
  /** The runtime's WebSocket proxying (Node: ws; Workers: the fetched socket); upgrades are
   * refused without it or with proxy.websocket false. */
  upgradeWebSocket?: (c: Context<AppEnv>, upgrade: WebSocketUpgrade) => Promise<Response>;
  /** http.accessToken is set: the caller's Authorization is the gateway's token. */
  dropAuthorization: boolean;
  /** http.corsOrigins: the only pages that may open a socket through the gateway. */
  corsOrigins: readonly string[];
  clientAddress: ClientAddressResolver;
  /** The socket's own address, where the runtime has one (Node). */
  peerAddress?: (c: Context<AppEnv>) => string | undefined;
  /** Node: how to cut a caller's connection (see AppDeps.cutConnection). */
  cutConnection?: (c: Context<AppEnv>) => (() => void) | undefined;
  logger: Logger;
}

const NO_BODY_METHODS = new Set(["GET", "HEAD"]);

/**
 * DESIGN §12: every request the gateway does not own, passed to the backend it fronts — the
 * same path and query under `baseUrl`'s origin whatever the request names, bodies streamed both
 * ways, WebSocket upgrades handed to the runtime. The door (Host, token, CORS, rate limits) has
 * run before this handler.
 */
export function createPassThrough(options: PassThroughOptions) {
  const baseOrigin = new URL(options.baseUrl).origin;
  /** Ends each open streamed answer cleanly; for shutdown. */
  const openStreams = new Set<() => void>();

  /** The backend URL for a request: always under baseUrl, whatever its target or Host said. */
  function targetOf(url: URL): string {
    // Concatenated, never resolved against the base: a path such as //evil.example would
    // resolve to another origin. The check below can only fail if that rule is ever broken.
    const target = `${options.baseUrl}${url.pathname}${url.search}`;
    if (new URL(target).origin !== baseOrigin)
      throw new ApiError("not_found", "that path cannot be passed to the backend");
    return target;
  }

  function headersFor(c: Context<AppEnv>, url: URL): Headers {
    const trace = c.get("trace");
    const peer = options.peerAddress?.(c);
    const client = clientAddressOf(c, options.clientAddress);
    return backendRequestHeaders(c.req.raw.headers, {
      forwarded: forwardedFor({
        headers: c.req.raw.headers,
        client: client === "unknown" ? undefined : client,
        peer,
        proto: url.protocol.slice(0, -1),
      }),
      requestId: c.get("requestId"),
      traceparent:
        (trace === undefined ? undefined : traceparentFor(trace)) ?? c.req.header("traceparent"),
      dropAuthorization: options.dropAuthorization,
    });
  }

  /** The backend's body, read as the caller reads it (nothing buffered ahead), ended cleanly
   * at shutdown. */
  function tracked(
    body: ReadableStream<Uint8Array>,
    cut: (() => void) | undefined,
  ): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    let ended = false;
    const end = () => {
      ended = true;
      openStreams.delete(end);
    };
    return new ReadableStream<Uint8Array>(
      {
        start(controller) {
          openStreams.add(() => {
            if (ended) return;
            end();
            controller.close();
            reader.cancel().catch(() => {});
          });
        },
        async pull(controller) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (error) {
            // The backend's connection broke mid-answer: the caller's is cut too, so a
            // truncated body is never mistaken for a whole one. Where the runtime can cut the
            // connection itself, it does, and the stream just ends (an errored stream would
            // have node-server log it and write its message into the body).
            if (!ended) {
              if (cut === undefined) controller.error(error);
              else {
                cut();
                controller.close();
              }
            }
            end();
            return;
          }
          if (ended) return;
          if (chunk.done) {
            end();
            controller.close();
          } else controller.enqueue(chunk.value);
        },
        cancel(reason) {
          end();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** The answer as the caller gets it: the backend's, with the request id, and the security
   * headers the backend did not set itself. */
  function answer(c: Context<AppEnv>, response: Response): Response {
    const headers = callerResponseHeaders(response.headers);
    headers.set("x-request-id", c.get("requestId"));
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!headers.has(name)) headers.set(name, value);
    c.set("passedThrough", true);
    const body = response.body === null ? null : tracked(response.body, options.cutConnection?.(c));
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  function failure(c: Context<AppEnv>, error: unknown): ApiError {
    const timedOut = error instanceof BackendError && error.kind === "timeout";
    options.logger.warn({
      event: timedOut ? "backend_timeout" : "backend_unavailable",
      request_id: c.get("requestId"),
      error: String(error instanceof BackendError ? (error.cause ?? error.message) : error),
    });
    return timedOut
      ? new ApiError("backend_timeout", `the backend sent no answer within ${options.timeoutMs} ms`)
      : new ApiError("backend_unavailable", "the backend could not be reached");
  }

  async function upgrade(c: Context<AppEnv>, url: URL): Promise<Response> {
    if (options.upgradeWebSocket === undefined)
      throw new ApiError("not_found", "WebSocket pass-through is off (proxy.websocket)");
    // A page of another site must not open a socket that carries this user's cookies
    // (cross-site WebSocket hijacking): CORS does not cover sockets.
    const origin = c.req.header("origin");
    if (origin !== undefined && !options.corsOrigins.includes(origin))
      throw new ApiError(
        "origin_not_allowed",
        `Origin ${JSON.stringify(origin.slice(0, 255))} is not in http.corsOrigins`,
      );
    try {
      return await options.upgradeWebSocket(c, {
        url: targetOf(url),
        headers: headersFor(c, url),
        protocols: offeredSubprotocols(c.req.raw.headers),
        headersTimeoutMs: options.timeoutMs,
      });
    } catch (error) {
      throw failure(c, error);
    }
  }

  const handler: Handler<AppEnv> = async (c) => {
    const url = new URL(c.req.url);
    // One of the gateway's own paths with a method it does not answer: not the backend's.
    if (isGatewayPath(url.pathname))
      throw new ApiError("not_found", `no route for ${c.req.method} ${url.pathname}`);
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") return upgrade(c, url);
    const target = targetOf(url);
    let response: Response;
    try {
      response = await options.send({
        url: target,
        method: c.req.method,
        headers: headersFor(c, url),
        body: NO_BODY_METHODS.has(c.req.method) ? null : c.req.raw.body,
        signal: c.req.raw.signal,
        headersTimeoutMs: options.timeoutMs,
      });
    } catch (error) {
      throw failure(c, error);
    }
    return answer(c, response);
  };

  passThroughHandlers.add(handler);
  return {
    handler,
    /** Streamed answers open now (SSE, downloads). */
    openStreams: () => openStreams.size,
    /** Ends every open streamed answer cleanly (shutdown): the caller sees its end. */
    endStreams(): void {
      for (const end of [...openStreams]) end();
    },
  };
}

export type PassThrough = ReturnType<typeof createPassThrough>;

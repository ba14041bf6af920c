/** One request the gateway passes to its backend. */
export interface BackendRequest {
  url: string;
  method: string;
  headers: Headers;
  /** Streamed to the backend as the caller sends it; null for a request without a body. */
  body: ReadableStream<Uint8Array> | null;
  /** The caller went away: the backend request is aborted. */
  signal: AbortSignal;
  /** How long the backend may take to send its answer's headers; its body has no bound. */
  headersTimeoutMs: number;
}

/** Why a backend request got no answer. */
export class BackendError extends Error {
  override readonly name = "BackendError";
  constructor(
    readonly kind: "timeout" | "unreachable",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * How a runtime sends a request to the backend and gets its answer back unread: the body a
 * stream, its encoding untouched (a gzip answer stays gzip for the caller), redirects not
 * followed. Rejects with a BackendError when no answer came.
 */
export type BackendSend = (request: BackendRequest) => Promise<Response>;

/** How a runtime proxies a WebSocket upgrade, once the door has let it through. */
export interface WebSocketUpgrade {
  /** The backend's URL for the socket, as http(s): a runtime whose client wants ws(s) changes
   * the scheme. */
  url: string;
  headers: Headers;
  /** The subprotocols the caller offered. */
  protocols: string[];
  headersTimeoutMs: number;
}

/**
 * A backend over WHATWG fetch (Workers; anywhere fetch keeps an answer's body encoded as sent,
 * which undici's does not). `redirect: "manual"`, so the caller sees the backend's redirects.
 */
export function fetchBackend(fetch: (url: string, init: RequestInit) => Promise<Response>) {
  return async function send(request: BackendRequest): Promise<Response> {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), request.headersTimeoutMs);
    try {
      return await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: AbortSignal.any([request.signal, timer.signal]),
        // Needed to stream a request body through WHATWG fetch.
        ...({ duplex: "half" } as RequestInit),
      });
    } catch (error) {
      if (timer.signal.aborted && !request.signal.aborted)
        throw new BackendError("timeout", `no answer within ${request.headersTimeoutMs} ms`);
      throw new BackendError("unreachable", "the backend could not be reached", { cause: error });
    } finally {
      clearTimeout(timeout);
    }
  };
}

/*
 * What the headers of a passed-through request and answer become (DESIGN §12): hop-by-hop
 * headers are the gateway's business with each side and are dropped, the portal's session never
 * reaches the backend, and the backend learns who called through X-Forwarded-*, as far as the
 * gateway's trustProxy lets it believe the caller.
 */

/** RFC 9110 §7.6.1's hop-by-hop fields, and the de facto ones proxies drop too. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** What a WebSocket handshake carries for one hop: each side's library makes its own. */
const WEBSOCKET_HANDSHAKE = new Set([
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-accept",
  "sec-websocket-protocol",
]);

/** Set anew for the backend from what the gateway knows, never copied from the caller. */
const REPLACED = new Set([
  "host",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-request-id",
  "traceparent",
  "expect",
  "content-length",
]);

/** The names a Connection header lists: hop-by-hop too (RFC 9110 §7.6.1). */
function connectionNamed(headers: Headers): Set<string> {
  const listed = headers.get("connection");
  return new Set(listed === null ? [] : listed.split(",").map((name) => name.trim().toLowerCase()));
}

/** A Cookie header without the portal's `psession` (only portal sources ever get it); null
 * when nothing is left. */
export function withoutPsession(cookie: string): string | null {
  const kept = cookie
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "" && pair.slice(0, pair.indexOf("=")).trim() !== "psession");
  return kept.length === 0 ? null : kept.join("; ");
}

/** Who called, as the backend is told in X-Forwarded-*. */
export interface Forwarded {
  /** X-Forwarded-For: the trusted part of the caller's chain, then the caller's address. */
  for: string | undefined;
  proto: string;
  host: string | undefined;
}

/**
 * X-Forwarded-* for the backend. `client` is the address the gateway resolved with trustProxy
 * (§10) and `peer` the socket's: when they differ the peer was a trusted proxy, so the chain
 * the caller sent is kept from the client on, with the peer appended; when they are the same
 * nothing the caller sent is believed — a spoofed X-Forwarded-For is replaced, not extended.
 */
export function forwardedFor(request: {
  headers: Headers;
  client: string | undefined;
  peer: string | undefined;
  /** The scheme the gateway was reached by. */
  proto: string;
}): Forwarded {
  const { headers, client, peer } = request;
  const host = headers.get("host") ?? undefined;
  if (client === undefined || peer === undefined || client === peer)
    return { for: client ?? peer, proto: request.proto, host };
  const chain = (headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim());
  const from = chain.lastIndexOf(client);
  const trusted = from === -1 ? [client] : chain.slice(from);
  return {
    for: [...trusted, peer].join(", "),
    proto: headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || request.proto,
    host: headers.get("x-forwarded-host")?.split(",")[0]?.trim() || host,
  };
}

export interface BackendHeaderOptions {
  forwarded: Forwarded;
  requestId: string;
  traceparent: string | undefined;
  /** The caller's Authorization is the gateway's access token (http.accessToken is set): it
   * is for the gateway and never reaches the backend. */
  dropAuthorization: boolean;
}

/** The headers a passed-through request is sent to the backend with. */
export function backendRequestHeaders(incoming: Headers, options: BackendHeaderOptions): Headers {
  const named = connectionNamed(incoming);
  const headers = new Headers();
  for (const [name, value] of incoming) {
    if (HOP_BY_HOP.has(name) || named.has(name) || WEBSOCKET_HANDSHAKE.has(name)) continue;
    if (REPLACED.has(name)) continue;
    if (name === "authorization" && options.dropAuthorization) continue;
    if (name === "cookie") {
      const kept = withoutPsession(value);
      if (kept !== null) headers.set("cookie", kept);
      continue;
    }
    headers.append(name, value);
  }
  const length = incoming.get("content-length");
  if (length !== null) headers.set("content-length", length);
  const { forwarded } = options;
  if (forwarded.for !== undefined) headers.set("x-forwarded-for", forwarded.for);
  headers.set("x-forwarded-proto", forwarded.proto);
  if (forwarded.host !== undefined) headers.set("x-forwarded-host", forwarded.host);
  headers.set("x-request-id", options.requestId);
  if (options.traceparent !== undefined) headers.set("traceparent", options.traceparent);
  return headers;
}

/** The backend's answer headers as the caller gets them: hop-by-hop ones dropped, the rest —
 * `Set-Cookie` included, each one kept apart — as the backend sent them. */
export function callerResponseHeaders(backend: Headers): Headers {
  const named = connectionNamed(backend);
  const headers = new Headers();
  for (const [name, value] of backend) {
    if (HOP_BY_HOP.has(name) || named.has(name) || name === "set-cookie") continue;
    headers.append(name, value);
  }
  for (const cookie of backend.getSetCookie()) headers.append("set-cookie", cookie);
  return headers;
}

/** The subprotocols a WebSocket handshake offers, in order. */
export function offeredSubprotocols(headers: Headers): string[] {
  const offered = headers.get("sec-websocket-protocol");
  return offered === null
    ? []
    : offered
        .split(",")
        .map((protocol) => protocol.trim())
        .filter((protocol) => protocol !== "");
}

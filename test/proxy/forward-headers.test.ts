import { describe, expect, it } from "vitest";
import {
  backendRequestHeaders,
  callerResponseHeaders,
  forwardedFor,
  withoutPsession,
} from "../../src/proxy/forward-headers.js";
import { isGatewayPath } from "../../src/proxy/own-paths.js";

const forwarded = { for: "127.0.0.1", proto: "http", host: "localhost:18790" };
const options = { forwarded, requestId: "req-1", traceparent: undefined, dropAuthorization: false };

describe("what a passed-through request carries to the backend", () => {
  it("drops hop-by-hop headers and those the Connection header names", () => {
    const sent = backendRequestHeaders(
      new Headers({
        connection: "keep-alive, x-hop",
        "keep-alive": "timeout=5",
        "x-hop": "secret to the next hop",
        te: "trailers",
        "transfer-encoding": "chunked",
        "proxy-authorization": "Basic eA==",
        accept: "application/json",
      }),
      options,
    );
    expect([...sent.keys()].sort()).toEqual([
      "accept",
      "x-forwarded-for",
      "x-forwarded-host",
      "x-forwarded-proto",
      "x-request-id",
    ]);
  });

  it("removes the portal's psession cookie and keeps the backend's own cookies", () => {
    const sent = backendRequestHeaders(
      new Headers({ cookie: "viben_sid=1; psession=portal-secret; theme=dark" }),
      options,
    );
    expect(sent.get("cookie")).toBe("viben_sid=1; theme=dark");
    expect(
      backendRequestHeaders(new Headers({ cookie: "psession=x" }), options).has("cookie"),
    ).toBe(false);
    expect(withoutPsession(' psession = "x" ; a=1')).toBe("a=1");
  });

  it("keeps Authorization unless it is the gateway's own access token", () => {
    const incoming = new Headers({ authorization: "Bearer backend-token" });
    expect(backendRequestHeaders(incoming, options).get("authorization")).toBe(
      "Bearer backend-token",
    );
    expect(
      backendRequestHeaders(incoming, { ...options, dropAuthorization: true }).has("authorization"),
    ).toBe(false);
  });

  it("replaces the caller's Host, request id and forwarding headers with the gateway's", () => {
    const sent = backendRequestHeaders(
      new Headers({
        host: "evil.example",
        "x-request-id": "spoofed",
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-host": "evil.example",
      }),
      options,
    );
    expect(sent.has("host")).toBe(false);
    expect(sent.get("x-request-id")).toBe("req-1");
    expect(sent.get("x-forwarded-for")).toBe("127.0.0.1");
    expect(sent.get("x-forwarded-host")).toBe("localhost:18790");
  });

  it("drops one hop's WebSocket handshake, which each side's library makes anew", () => {
    const sent = backendRequestHeaders(
      new Headers({
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
        "sec-websocket-extensions": "permessage-deflate",
        "sec-websocket-protocol": "viben.v1",
      }),
      options,
    );
    for (const name of ["upgrade", "connection", "sec-websocket-key", "sec-websocket-protocol"])
      expect(sent.has(name)).toBe(false);
  });
});

describe("X-Forwarded-* as far as trustProxy believes the caller", () => {
  it("believes nothing a direct caller sends: its chain is replaced by its address", () => {
    const result = forwardedFor({
      headers: new Headers({
        host: "localhost:18790",
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.example",
      }),
      client: "127.0.0.1",
      peer: "127.0.0.1",
      proto: "http",
    });
    expect(result).toEqual({ for: "127.0.0.1", proto: "http", host: "localhost:18790" });
  });

  it("keeps a trusted proxy's chain from the client on, and appends the proxy", () => {
    const result = forwardedFor({
      headers: new Headers({
        host: "gw.internal",
        "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "chat.example.com",
      }),
      // trustProxy trusted 10.0.0.1 (the peer) and 10.0.0.2: the client is 203.0.113.7.
      client: "203.0.113.7",
      peer: "10.0.0.1",
      proto: "http",
    });
    expect(result).toEqual({
      for: "203.0.113.7, 10.0.0.2, 10.0.0.1",
      proto: "https",
      host: "chat.example.com",
    });
  });
});

describe("what the backend's answer carries back", () => {
  it("drops hop-by-hop headers and keeps each Set-Cookie apart", () => {
    const backend = new Headers({ connection: "close", "keep-alive": "timeout=5", etag: '"1"' });
    backend.append("set-cookie", "a=1; Path=/");
    backend.append("set-cookie", "b=2; Path=/; HttpOnly");
    const back = callerResponseHeaders(backend);
    expect(back.has("connection")).toBe(false);
    expect(back.has("keep-alive")).toBe(false);
    expect(back.get("etag")).toBe('"1"');
    expect(back.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/; HttpOnly"]);
  });
});

describe("the gateway's own paths", () => {
  it("are the list, its subroutes, health, readiness, metrics and docs — nothing else", () => {
    for (const path of [
      "/api/chat-list",
      "/api/chat-list/stream",
      "/api/chat-list/read",
      "/health",
      "/healthz",
      "/readyz",
      "/metrics",
      "/openapi.json",
      "/docs",
      "/docs/assets/swagger-ui.css",
    ])
      expect(isGatewayPath(path), path).toBe(true);
    for (const path of [
      "/api/chat-listing",
      "/api/group-chats",
      "/api/agent/default",
      "/ws",
      "/",
      "/healthz/",
      "/docsx",
    ])
      expect(isGatewayPath(path), path).toBe(false);
  });
});

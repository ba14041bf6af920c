import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { answerWith, createWorkerGateway } from "../../src/runtime/worker.js";

// The pass-through inside workerd (DESIGN §12), through the Worker's own entry: the backend
// answers behind the Worker's fetch (a Worker cannot listen), WebSockets from a WebSocketPair.
const BACKEND = "http://viben.test";
const WEBVIEW = "tauri://localhost";

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

function backend() {
  const seen: Seen[] = [];
  const socketCloses: number[] = [];
  let pushEvent: ((text: string) => void) | undefined;
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const request = new Request(url, init);
    const body = request.body === null ? "" : await request.text();
    seen.push({ url, method: request.method, headers: request.headers, body });
    const path = new URL(url).pathname;
    if (request.headers.get("upgrade") === "websocket") {
      const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
      server.accept();
      server.addEventListener("message", (event) => {
        const data = String(event.data);
        server.send(
          data.includes("Subscribe")
            ? '{"type":"Subscribed","data":{"channels":["cron"]}}'
            : `echo:${data}`,
        );
      });
      server.addEventListener("close", (event) => {
        socketCloses.push(event.code);
      });
      return new Response(null, { status: 101, webSocket: client });
    }
    if (path === "/api/agent/default")
      return Response.json(
        { default_agent_id: "coder" },
        { headers: { "set-cookie": "viben_sid=1" } },
      );
    if (path === "/api/echo") return Response.json({ bytes: body.length }, { status: 201 });
    if (path === "/api/events") {
      const stream = new TransformStream<Uint8Array, Uint8Array>();
      const writer = stream.writable.getWriter();
      pushEvent = (text) => void writer.write(new TextEncoder().encode(text));
      pushEvent("event: connected\ndata: {}\n\n");
      return new Response(stream.readable, { headers: { "content-type": "text/event-stream" } });
    }
    if (path === "/api/hang")
      return new Promise((_, reject) =>
        init.signal?.addEventListener("abort", () =>
          reject(new DOMException("aborted", "AbortError")),
        ),
      );
    if (path === "/api/down") throw new TypeError("fetch failed: connection refused");
    return Response.json({ error: "Not Found" }, { status: 404 });
  };
  return { fetch, seen, socketCloses, push: (text: string) => pushEvent?.(text) };
}

function gatewayFor(upstream: ReturnType<typeof backend>, extra: Record<string, unknown> = {}) {
  const gateway = createWorkerGateway(
    JSON.stringify({
      proxy: { baseUrl: BACKEND, timeoutMs: 200 },
      http: { corsOrigins: [WEBVIEW] },
      ...extra,
    }),
    { fetch: upstream.fetch, logger: silentLogger },
  );
  if (gateway.error !== undefined) throw gateway.error;
  return async (path: string, init: RequestInit = {}) => {
    const ctx = createExecutionContext();
    const headers = new Headers(init.headers);
    headers.set("cf-connecting-ip", "203.0.113.9");
    const response = await answerWith(
      gateway.app,
      gateway.listFastPath,
      new Request(`https://gateway.test${path}`, { ...init, headers }),
      {},
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  };
}

describe("the pass-through on workerd", () => {
  it("passes a Viben API through with the backend's answer, without the portal's cookie", async () => {
    const upstream = backend();
    const call = gatewayFor(upstream);
    const response = await call("/api/agent/default?x=1", {
      headers: { cookie: "psession=portal-secret; viben_sid=1", origin: WEBVIEW },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ default_agent_id: "coder" });
    expect(response.headers.get("set-cookie")).toBe("viben_sid=1");
    expect(response.headers.get("access-control-allow-origin")).toBe(WEBVIEW);
    const [seen] = upstream.seen;
    expect(seen?.url).toBe(`${BACKEND}/api/agent/default?x=1`);
    expect(seen?.headers.get("cookie")).toBe("viben_sid=1");
    expect(seen?.headers.get("x-forwarded-for")).toBe("203.0.113.9");
    expect(seen?.headers.get("x-forwarded-proto")).toBe("https");
  });

  it("keeps every target under the backend's origin", async () => {
    const upstream = backend();
    const call = gatewayFor(upstream);
    for (const path of ["//evil.example/x", "/%2F%2Fevil.example/x", "/@evil.example/x"])
      expect((await call(path)).status, path).toBe(404);
    expect(upstream.seen.map((one) => new URL(one.url).origin)).toEqual([
      BACKEND,
      BACKEND,
      BACKEND,
    ]);
    expect(upstream.seen.map((one) => one.url)).toEqual([
      `${BACKEND}//evil.example/x`,
      `${BACKEND}/%2F%2Fevil.example/x`,
      `${BACKEND}/@evil.example/x`,
    ]);
  });

  it("streams a request body through, any method", async () => {
    const upstream = backend();
    const call = gatewayFor(upstream);
    const response = await call("/api/echo", { method: "PUT", body: "y".repeat(100_000) });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ bytes: 100_000 });
    expect(upstream.seen[0]?.method).toBe("PUT");
  });

  it("passes SSE through event by event", async () => {
    const upstream = backend();
    const call = gatewayFor(upstream);
    const response = await call("/api/events");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (wanted: string) => {
      while (!text.includes(wanted)) text += decoder.decode((await reader.read()).value);
    };
    await until("event: connected");
    for (const n of [1, 2]) {
      upstream.push(`event: tick\ndata: ${n}\n\n`);
      await until(`data: ${n}`);
    }
    await reader.cancel();
  });

  it("proxies a WebSocket: frames both ways and the caller's close", async () => {
    const upstream = backend();
    const call = gatewayFor(upstream);
    const response = await call("/ws", { headers: { upgrade: "websocket", origin: WEBVIEW } });
    expect(response.status).toBe(101);
    const socket = response.webSocket as WebSocket;
    socket.accept();
    const messages: string[] = [];
    const next = () =>
      new Promise<string>((resolve) =>
        socket.addEventListener("message", (event) => resolve(String(event.data)), { once: true }),
      );
    let reply = next();
    socket.send(JSON.stringify({ type: "Subscribe", data: { channels: ["cron"] } }));
    messages.push(await reply);
    reply = next();
    socket.send("ping");
    messages.push(await reply);
    expect(messages).toEqual(['{"type":"Subscribed","data":{"channels":["cron"]}}', "echo:ping"]);
    socket.close(4000, "bye");
    for (let wait = 0; wait < 200 && upstream.socketCloses.length === 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(upstream.socketCloses).toEqual([4000]);
    expect(upstream.seen[0]?.headers.get("upgrade")).toBe("websocket");
  });

  it("refuses a socket from an origin that is not allowed, before the backend", async () => {
    const upstream = backend();
    const call = gatewayFor(upstream);
    const response = await call("/ws", {
      headers: { upgrade: "websocket", origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
    expect(upstream.seen).toEqual([]);
  });

  it("answers 502 for a backend it cannot reach and 504 for one that sends no headers", async () => {
    const upstream = backend();
    const call = gatewayFor(upstream);
    const down = await call("/api/down");
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({ code: "backend_unavailable" });
    const hang = await call("/api/hang");
    expect(hang.status).toBe(504);
    expect(await hang.json()).toMatchObject({ code: "backend_timeout" });
    // The gateway's own routes are not the backend's.
    expect((await call("/healthz")).status).toBe(200);
    expect((await call("/api/chat-list")).status).toBe(200);
  });
});

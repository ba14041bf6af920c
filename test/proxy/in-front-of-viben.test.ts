import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildMixedVibenHome } from "../local/viben-agents-home.js";
import {
  eventually,
  type GatewayProcess,
  oneShot,
  rssOf,
  socketsOf,
  useGatewayProcesses,
} from "../support/gateway-process.js";
import { labelValues, parseScrape, sampleValue } from "../support/prometheus.js";
import { openSse } from "../support/sse-client.js";
import { startVibenBackend, type VibenBackend } from "../support/viben-backend.js";

// Viben's desktop, replayed against `npm start` fronting a Viben-shaped backend on loopback, as
// the README's "In front of Viben" recipe runs them: the desktop keeps one base URL, finds it by
// GET /health from its webview, reads its chat list there, and every other Viben API and socket
// on the same page goes through to the backend.
const WEBVIEW = "tauri://localhost";
const startGateway = useGatewayProcesses();

function recipeConfig(backendUrl: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    sources: [
      { kind: "group_chat_store", name: "viben-chats", baseUrl: `${backendUrl}/api` },
      { kind: "local_agents", name: "agents" },
    ],
    http: { corsOrigins: [WEBVIEW, "http://tauri.localhost"] },
    proxy: { baseUrl: backendUrl, timeoutMs: 2000 },
    ...extra,
  });
}

/** A WebSocket opened as the desktop's webview opens it, resolved once open (or refused). */
function openSocket(url: string, origin: string | null = WEBVIEW) {
  const socket = new WebSocket(url, { headers: origin === null ? {} : { Origin: origin } });
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  socket.on("message", (data) => {
    messages.push(String(data));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<number>((resolve, reject) => {
    socket.once("open", () => resolve(101));
    socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
    socket.once("error", reject);
  });
  const next = (match: (message: string) => boolean) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const found = messages.find(match);
        if (found === undefined) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  return { socket, opened, closed, next };
}

describe("the desktop in front of Viben: its own calls, unchanged", () => {
  let backend: VibenBackend;
  let gateway: GatewayProcess;
  let workspace: string;
  let baselineSockets: number;

  beforeAll(async () => {
    backend = await startVibenBackend();
    const fixture = buildMixedVibenHome();
    workspace = fixture.workspace;
    gateway = await startGateway({
      HOME: fixture.home.root,
      CHAT_LIST_CONFIG_JSON: recipeConfig(backend.url),
    });
    baselineSockets = socketsOf(gateway.pid);
  }, 30_000);
  afterAll(async () => {
    await backend?.close();
  });

  it("is found by GET /health from the webview, with Viben's fields and CORS", async () => {
    const response = await fetch(`${gateway.origin}/health`, { headers: { Origin: WEBVIEW } });
    expect(response.ok).toBe(true);
    expect(response.headers.get("access-control-allow-origin")).toBe(WEBVIEW);
    const body = (await response.json()) as Record<string, string>;
    expect(body).toMatchObject({ status: "ok", service: "chat-list-gateway" });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(body.timestamp ?? "")).not.toBeNaN();
  });

  it("answers the desktop's chat list with AGENTS.md agents and Viben's source badges", async () => {
    const query = new URLSearchParams({ workspace_path: workspace, include_global: "true" });
    const response = await fetch(`${gateway.origin}/api/chat-list?${query}`, {
      headers: { Accept: "application/json", Origin: WEBVIEW },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(WEBVIEW);
    const body = (await response.json()) as {
      items: Array<{ id: string; item_type: string; source: string; name: string }>;
      counts: Record<string, number>;
    };
    // What useChatList does with it: split by item_type; the badge from source.
    const agents = body.items.filter((item) => item.item_type === "agent");
    expect(agents.map((agent) => [agent.id, agent.source]).sort()).toEqual([
      ["planner", "workspace"],
      ["reviewer", "global"],
      ["translator", "global"],
      ["writer", "workspace"],
    ]);
    expect(
      body.items.filter((item) => item.item_type === "group_chat").map((item) => item.name),
    ).toEqual(["Project chat"]);
    expect(body.counts).toMatchObject({ agents: 4, group_chats: 1 });
  });

  it("passes the page's other Viben APIs through to the backend, as the backend answered", async () => {
    const chats = await fetch(`${gateway.origin}/api/group-chats?include_global=true`, {
      headers: { Origin: WEBVIEW },
    });
    expect(chats.status).toBe(200);
    expect(chats.headers.get("access-control-allow-origin")).toBe(WEBVIEW);
    expect(((await chats.json()) as { group_chats: unknown[] }).group_chats).toHaveLength(1);

    const before = backend.requests.length;
    const agent = await oneShot(`${gateway.origin}/api/agent/default`, {
      headers: { cookie: "psession=portal-secret; viben_sid=1", "x-forwarded-for": "6.6.6.6" },
    });
    expect(agent.status).toBe(200);
    expect(JSON.parse(String(agent.body))).toEqual({ default_agent_id: "coder" });
    // The backend's session cookies come back, each on its own.
    expect(agent.headers["set-cookie"]).toEqual(["viben_sid=1; Path=/", "theme=dark; Path=/"]);
    const seen = backend.requests.slice(before).find((one) => one.path === "/api/agent/default");
    expect(seen?.headers.cookie).toBe("viben_sid=1");
    expect(seen?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen?.headers["x-request-id"]).toBe(agent.headers["x-request-id"]);

    const missing = await fetch(`${gateway.origin}/api/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "Not Found", message: "no such thing" });
  });

  it("streams a request body to the backend and its answer back, any method", async () => {
    const body = "x".repeat(3 * 1024 * 1024);
    const echoed = await oneShot(`${gateway.origin}/api/echo?kind=put`, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body,
    });
    expect(echoed.status).toBe(201);
    expect(JSON.parse(String(echoed.body)).bytes).toBe(body.length);
  });

  it("proxies /ws: Viben's Subscribe, its events, binary frames and the close", async () => {
    const { socket, opened, closed, next } = openSocket(
      `${gateway.origin.replace("http", "ws")}/ws`,
    );
    expect(await opened).toBe(101);
    socket.send(JSON.stringify({ type: "Subscribe", data: { channels: ["cron"] } }));
    expect(JSON.parse(await next((m) => m.includes("Subscribed")))).toEqual({
      type: "Subscribed",
      data: { channels: ["cron"] },
    });
    backend.broadcast("cron", { type: "CronJobCompleted", data: { job: "nightly" } });
    const event = JSON.parse(await next((m) => m.includes("CronJobCompleted")));
    expect(event).toEqual({
      type: "Event",
      data: { channel: "cron", payload: { type: "CronJobCompleted", data: { job: "nightly" } } },
    });
    const binary = new Promise<Buffer>((resolve) =>
      socket.once("message", (data, isBinary) => isBinary && resolve(data as Buffer)),
    );
    socket.send(Buffer.from([0, 1, 2, 255]));
    expect([...(await binary)]).toEqual([0, 1, 2, 255]);
    const closesBefore = backend.sockets.closes.length;
    socket.close(4000, "heartbeat timeout");
    expect(await closed).toEqual({ code: 4000, reason: "heartbeat timeout" });
    await eventually(() => backend.sockets.closes.length > closesBefore, 5000, "backend close");
    expect(backend.sockets.closes.at(-1)).toEqual({ code: 4000, reason: "heartbeat timeout" });
  });

  it("refuses a socket from a page whose origin is not allowed, before it reaches the backend", async () => {
    const opened = backend.sockets.open();
    const { opened: status } = openSocket(
      `${gateway.origin.replace("http", "ws")}/ws`,
      "https://evil.example",
    );
    expect(await status).toBe(403);
    expect(backend.sockets.open()).toBe(opened);
  });

  it("passes the backend's SSE through event by event, not at the end", async () => {
    const streams = backend.eventStreams(1);
    const client = await openSse(`${gateway.origin}/api/events`);
    expect(client.status).toBe(200);
    await streams;
    await client.next((event) => event.event === "connected", 10_000);
    // Each event is sent only once the one before it has arrived through the gateway.
    for (const n of [1, 2, 3]) {
      backend.emitEvent("session_message", { n });
      const got = await client.next(
        (event) => event.event === "session_message" && event.data === `{"n":${n}}`,
        10_000,
      );
      expect(JSON.parse(got.data)).toEqual({ n });
    }
    client.close();
  });

  it("passes a 50 MB download through without holding it: the backend waits for the reader", async () => {
    const size = 50 * 1024 * 1024;
    const rssBefore = rssOf(gateway.pid);
    const sentBefore = backend.downloaded();
    const response = await fetch(`${gateway.origin}/download/${size}`);
    expect(response.headers.get("content-length")).toBe(String(size));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = (await reader.read()).value?.byteLength ?? 0;
    // The reader stops. A gateway that buffered would let the backend send everything now;
    // one that streams holds the backend back once the sockets' buffers are full.
    let last = -1;
    await eventually(
      () => {
        const now = backend.downloaded() - sentBefore;
        const still = now === last;
        last = now;
        return still || now >= size;
      },
      20_000,
      "the backend's writes to settle",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sentWhilePaused = backend.downloaded() - sentBefore;
    const rssGrowth = rssOf(gateway.pid) - rssBefore;
    expect(sentWhilePaused).toBeLessThan(size / 2);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect(received).toBe(size);
    // Flat: well under the download's size (the gateway holds a chunk, not the file).
    expect(rssGrowth).toBeLessThan(24 * 1024 * 1024);
  }, 60_000);

  it("never becomes an open proxy: no request target or Host reaches another origin", async () => {
    const elsewhere: string[] = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.url ?? "");
      res.end("reached");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherHost = `127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const before = backend.requests.length;
      for (const path of [
        `//${otherHost}/x`,
        "/%2F%2Fevil.example/x",
        "/..%2F..%2Fx",
        `/@${otherHost}/x`,
      ]) {
        const answer = await oneShot(`${gateway.origin}${path}`);
        expect(answer.status, path).toBe(404); // the backend's own 404
      }
      // Absolute-form targets name another origin: the path goes to the backend all the same.
      const absolute = await oneShot(`${gateway.origin}/ignored`, {
        headers: { host: "127.0.0.1" },
      }).then(() => rawTarget(gateway.origin, `http://${otherHost}/absolute`));
      expect(absolute).toMatch(/^HTTP\/1\.1 404/);
      // A Host the loopback gateway does not answer: refused at the door.
      const rebound = await oneShot(`${gateway.origin}/api/group-chats`, {
        headers: { host: otherHost.replace("127.0.0.1", "evil.example") },
      });
      expect(rebound.status).toBe(421);
      expect(elsewhere).toEqual([]);
      const paths = backend.requests.slice(before).map((one) => one.path);
      expect(paths).toEqual(
        expect.arrayContaining([`//${otherHost}/x`, "/%2F%2Fevil.example/x", "/absolute"]),
      );
    } finally {
      other.close();
    }
  });

  it("counts what it passes through under one route label, and the sockets it holds open", async () => {
    const { opened, socket, closed } = openSocket(`${gateway.origin.replace("http", "ws")}/ws`);
    expect(await opened).toBe(101);
    const samples = parseScrape(await (await fetch(`${gateway.origin}/metrics`)).text());
    socket.close();
    await closed;
    expect(sampleValue(samples, "chat_list_proxy_open_sockets")).toBe(1);
    expect(
      sampleValue(samples, "chat_list_http_requests_total", {
        route: "proxy",
        method: "GET",
        status: "404",
      }),
    ).toBeGreaterThanOrEqual(1);
    // Never the path a caller typed.
    const routes = labelValues(samples, "chat_list_http_requests_total").route ?? new Set();
    expect(routes.has("proxy")).toBe(true);
    for (const passed of [
      "/api/group-chats",
      "/api/agent/default",
      "/ws",
      "/api/events",
      "/api/echo",
    ])
      expect(routes.has(passed), passed).toBe(false);
  });

  it("holds no socket after the streams and sockets above have ended", async () => {
    await eventually(
      () => socketsOf(gateway.pid) <= baselineSockets,
      20_000,
      `the gateway's sockets back to ${baselineSockets} (now ${socketsOf(gateway.pid)})`,
    );
    await eventually(() => backend.connections() === 0, 20_000, "no connection to the backend");
  });
});

/** What a gateway printed besides its banner and its JSON log lines, and any unhandled error:
 * a stack trace or a runtime's complaint would show here. */
function strayOutput(gateway: GatewayProcess): string[] {
  return gateway
    .output()
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^(chat-list gateway on| {2}(list|docs): )/.test(line))
    .filter((line) => {
      try {
        return (JSON.parse(line) as { event?: string }).event === "unhandled_error";
      } catch {
        return true;
      }
    });
}

/** Sends one request with a raw request target (absolute-form) and returns the status line. */
async function rawTarget(origin: string, target: string): Promise<string> {
  const { connect } = await import("node:net");
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
    });
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("end", () => resolve(text.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

describe("when the backend fails, the gateway's own routes do not", () => {
  it("answers 502 backend_unavailable while the backend is down, and 504 when it hangs", async () => {
    const backend = await startVibenBackend();
    // A port that was just free: nothing listens there.
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
    const downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    try {
      const gateway = await startGateway({
        HOME: buildMixedVibenHome().home.root,
        CHAT_LIST_CONFIG_JSON: JSON.stringify({
          sources: [{ kind: "local_agents", name: "agents" }],
          proxy: { baseUrl: downUrl, timeoutMs: 300 },
        }),
      });
      const unavailable = await oneShot(`${gateway.origin}/api/group-chats`);
      expect(unavailable.status).toBe(502);
      expect(unavailable.headers["content-type"]).toBe("application/problem+json");
      expect(JSON.parse(String(unavailable.body))).toMatchObject({ code: "backend_unavailable" });
      const socket = openSocket(`${gateway.origin.replace("http", "ws")}/ws`, null);
      expect(await socket.opened).toBe(502);
      expect((await oneShot(`${gateway.origin}/api/chat-list`)).status).toBe(200);
      expect((await oneShot(`${gateway.origin}/healthz`)).status).toBe(200);

      const hanging = await startGateway({
        CHAT_LIST_CONFIG_JSON: JSON.stringify({ proxy: { baseUrl: backend.url, timeoutMs: 300 } }),
      });
      const timedOut = await oneShot(`${hanging.origin}/api/hang`);
      expect(timedOut.status).toBe(504);
      expect(JSON.parse(String(timedOut.body))).toMatchObject({ code: "backend_timeout" });
      expect((await oneShot(`${hanging.origin}/api/chat-list`)).status).toBe(200);
      // The hanging request's connection to the backend was given up, not left open.
      await eventually(
        () => backend.connections() === 0,
        20_000,
        "no connection left to the backend",
      );
      for (const gatewayProcess of [gateway, hanging])
        expect(strayOutput(gatewayProcess)).toEqual([]);
    } finally {
      await backend.close();
    }
  }, 60_000);

  it("cuts the caller's stream when the backend's socket closes mid-answer, and keeps serving", async () => {
    const backend = await startVibenBackend();
    try {
      const gateway = await startGateway({
        CHAT_LIST_CONFIG_JSON: JSON.stringify({ proxy: { baseUrl: backend.url } }),
      });
      const baseline = socketsOf(gateway.pid);
      const response = await fetch(`${gateway.origin}/api/cut`);
      expect(response.status).toBe(200);
      // The caller sees what came, then the cut: never a body that looks complete.
      await expect(response.text()).rejects.toThrow();
      expect((await oneShot(`${gateway.origin}/healthz`)).status).toBe(200);
      expect((await oneShot(`${gateway.origin}/api/agent/default`)).status).toBe(200);
      await eventually(
        () => socketsOf(gateway.pid) <= baseline,
        20_000,
        "sockets back to baseline",
      );
      expect(strayOutput(gateway)).toEqual([]);
    } finally {
      await backend.close();
    }
  }, 60_000);
});

describe("shutdown with passed-through streams and sockets open", () => {
  it("ends the SSE stream cleanly and closes the socket with 1001, then exits 0", async () => {
    const backend = await startVibenBackend();
    try {
      const gateway = await startGateway({
        CHAT_LIST_CONFIG_JSON: JSON.stringify({ proxy: { baseUrl: backend.url } }),
      });
      const socket = openSocket(`${gateway.origin.replace("http", "ws")}/ws`, null);
      expect(await socket.opened).toBe(101);
      const streams = backend.eventStreams(1);
      const events = await openSse(`${gateway.origin}/api/events`);
      await streams;
      gateway.signal("SIGTERM");
      expect(await socket.closed).toEqual({ code: 1001, reason: "gateway shutting down" });
      await events.closed;
      expect(await gateway.exited).toBe(0);
      await eventually(() => backend.sockets.open() === 0, 10_000, "the backend's socket closed");
      expect(backend.sockets.closes.at(-1)?.code).toBe(1001);
    } finally {
      await backend.close();
    }
  }, 60_000);
});

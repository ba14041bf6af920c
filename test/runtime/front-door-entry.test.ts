import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { useNodeEntry } from "../support/node-entry.js";
import { rawRequest } from "../support/raw-http.js";
import { configFor, executorsReply, useResources } from "../support/resources.js";
import { openSse } from "../support/sse-client.js";

const { upstream } = useResources();
const startEntry = useNodeEntry();
const TOKEN = "local-gateway-token-0123456789abcdef";

async function entryWith(config: unknown, env: Record<string, string> = {}) {
  const run = startEntry({ CHAT_LIST_CONFIG_JSON: JSON.stringify(config), ...env });
  const list = new URL(await run.listening);
  return { run, list, port: list.port };
}

describe("the Node entry's front door (DESIGN §10)", () => {
  it("answers a foreign Host with 421 and no upstream call; loopback Hosts with 200", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const { list, port } = await entryWith(configFor({ registry }));

    const foreign = await rawRequest(list.href, { headers: { host: "evil.example.com" } });
    expect(foreign.status).toBe(421);
    expect(JSON.parse(foreign.body).code).toBe("host_not_allowed");
    expect(registry.calls).toHaveLength(0);

    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      const response = await rawRequest(list.href, { headers: { host } });
      expect(response.status, host).toBe(200);
    }
    expect(registry.callsTo("/executors")).toHaveLength(1);
  });

  it("with CHAT_LIST_ACCESS_TOKEN set answers 401 without or with a wrong token, 200 with it", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const { list } = await entryWith(configFor({ registry }), { CHAT_LIST_ACCESS_TOKEN: TOKEN });
    expect((await fetch(list)).status).toBe(401);
    const wrong = await fetch(list, {
      headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}!` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(list, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(registry.callsTo("/executors")).toHaveLength(1);
  });

  it("with http.accessToken in the config file does the same", async () => {
    const { list } = await entryWith({ sources: [], http: { accessToken: TOKEN } });
    expect((await fetch(list)).status).toBe(401);
    expect((await fetch(list, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  const limited = (trustProxy: unknown) => ({
    sources: [],
    rateLimit: { perMinute: 600, burst: 60, addressPerMinute: 1, addressBurst: 2 },
    http: { trustProxy },
  });
  const from = (list: URL, client: string) =>
    fetch(list, { headers: { "x-forwarded-for": client } }).then((response) => response.status);

  it("with trustProxy: 1 gives two clients behind one proxy address their own buckets", async () => {
    const { list } = await entryWith(limited(1));
    expect([await from(list, "203.0.113.1"), await from(list, "203.0.113.1")]).toEqual([200, 200]);
    expect(await from(list, "203.0.113.1")).toBe(429);
    expect([await from(list, "203.0.113.2"), await from(list, "203.0.113.2")]).toEqual([200, 200]);
  });

  it("without a trusted proxy a spoofed X-Forwarded-For changes nothing", async () => {
    const { list } = await entryWith(limited(false));
    expect([await from(list, "203.0.113.1"), await from(list, "203.0.113.2")]).toEqual([200, 200]);
    expect(await from(list, "203.0.113.3")).toBe(429);
  });

  // The warm list is answered with plain header objects, not a web Headers object; whatever the
  // path, the same security headers and request id must still go out with every answer.
  it("sends the security headers and the request id on the list, a 304, a problem and the docs", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const { list } = await entryWith(configFor({ registry }));
    const security = {
      "cross-origin-opener-policy": "same-origin",
      "origin-agent-cluster": "?1",
      "referrer-policy": "no-referrer",
      "strict-transport-security": "max-age=15552000; includeSubDomains",
      "x-content-type-options": "nosniff",
      "x-dns-prefetch-control": "off",
      "x-download-options": "noopen",
      "x-frame-options": "SAMEORIGIN",
      "x-permitted-cross-domain-policies": "none",
      "x-xss-protection": "0",
    };
    const cold = await rawRequest(list.href, { headers: { "x-request-id": "client-id-1" } });
    const warm = await rawRequest(list.href, { headers: { "x-request-id": "client-id-2" } });
    const etag = String(warm.headers.etag);
    const unchanged = await rawRequest(list.href, { headers: { "if-none-match": etag } });
    const bad = await rawRequest(`${list.href}?limit=0`, {
      headers: { "x-request-id": "bad id!" },
    });
    const docs = await rawRequest(new URL("/docs", list).href);
    expect([cold.status, warm.status, unchanged.status, bad.status, docs.status]).toEqual([
      200, 200, 304, 400, 200,
    ]);
    for (const response of [cold, warm, unchanged, bad, docs])
      expect(response.headers).toMatchObject(security);
    expect([cold.headers["x-request-id"], warm.headers["x-request-id"]]).toEqual([
      "client-id-1",
      "client-id-2",
    ]);
    // An id that is not of [A-Za-z0-9_=-] is replaced, and the problem body names the new one.
    expect(bad.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(bad.body).request_id).toBe(bad.headers["x-request-id"]);
    expect(warm.headers).toMatchObject({
      "cache-control": "private, no-cache",
      "content-type": "application/json",
      "x-chat-list-complete": "true",
      "content-length": String(Buffer.byteLength(warm.body)),
    });
    expect(unchanged.headers.etag).toBe(etag);
    expect(unchanged.body).toBe("");
    expect(registry.callsTo("/executors")).toHaveLength(1);
  });

  it("reads a session cookie sent in two Cookie headers, as Node joins them", async () => {
    const portal = await upstream({
      "/v1/users/me": { json: { id: "u1" } },
      "/v1/portal/chats": { json: [{ id: 1, chat_type: "group", name: "one" }] },
      "/v1/portal/chats/1/history": { json: [] },
    });
    const { list } = await entryWith(configFor({ portal }));
    const response = await rawRequest(list.href, {
      headers: ["Host", list.host, "Cookie", "a=1", "Cookie", "psession=two-headers"],
    });
    expect(response.status).toBe(200);
    expect(portal.callsTo("/v1/portal/chats")[0]?.headers.cookie).toBe("psession=two-headers");
  });

  it("answers a request that repeats Host with 421 when one of them is foreign", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const { list } = await entryWith(configFor({ registry }));
    const answer = await rawRequest(list.href, {
      headers: ["Host", list.host, "Host", "evil.example.com"],
    });
    expect(answer.status).toBe(421);
    expect(registry.calls).toHaveLength(0);
  });

  it("sends a live stream's headers with the security headers and the client's request id", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const { list } = await entryWith(configFor({ registry }));
    const live = await openSse(new URL("/api/chat-list/stream", list).href, {
      "x-request-id": "stream-id-1",
    });
    try {
      expect(live.status).toBe(200);
      expect(Object.fromEntries(live.headers)).toMatchObject({
        "content-type": "text/event-stream; charset=utf-8",
        "x-request-id": "stream-id-1",
        "x-content-type-options": "nosniff",
        "x-frame-options": "SAMEORIGIN",
        "strict-transport-security": "max-age=15552000; includeSubDomains",
      });
    } finally {
      live.close();
    }
  });

  it("answers HEAD on the stream with its headers and holds no stream for it", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const { run, list, port } = await entryWith(
      configFor({ registry }, { live: { maxStreamsPerCaller: 1 } }),
    );
    const stream = new URL("/api/chat-list/stream", list).href;
    const head = await fetch(stream, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(head.headers.get("x-content-type-options")).toBe("nosniff");
    // A HEAD whose connection stays open, then a stream of the same caller: one stream is
    // allowed per caller, so the HEAD must not have taken it.
    const socket = connect(Number(port), "127.0.0.1");
    try {
      await new Promise<void>((resolve, reject) => {
        socket.setEncoding("utf8");
        let text = "";
        socket.on("data", (chunk: string) => {
          text += chunk;
          if (text.includes("\r\n\r\n")) resolve();
        });
        socket.on("error", reject);
        socket.write(`HEAD /api/chat-list/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      });
      const held = await openSse(stream);
      expect(held.status).toBe(200);
      held.close();
    } finally {
      socket.destroy();
    }
    expect(run.output().stderr).not.toContain("ERR_HTTP_HEADERS_SENT");
  });

  it("answers a Last-Event-ID it cannot hold (over 64 characters) with a snapshot", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const { list } = await entryWith(configFor({ registry }));
    const live = await openSse(new URL("/api/chat-list/stream", list).href, {
      "last-event-id": "x".repeat(65),
    });
    try {
      expect(live.status).toBe(200);
      const first = await live.next(
        (event) => event.event === "snapshot" || event.event === "patch",
        5000,
      );
      expect(first.event).toBe("snapshot");
    } finally {
      live.close();
    }
  });
});

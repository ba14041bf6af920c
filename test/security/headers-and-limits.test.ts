import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { agentsReply, configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();
const SECRET = "s3cr3t-psession-value-7f1c";

describe("what reaches an upstream", () => {
  it("forwards only the psession cookie, only to the portal, and no client header to anyone", async () => {
    const portal = await upstream({
      "/v1/portal/chats": { json: [{ id: 1, chat_type: "group", name: "g" }] },
      "/v1/portal/chats/1/history": { json: [] },
    });
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const store = await upstream({ "/agents": agentsReply("a") });
    const gw = await gateway(configFor({ portal, registry, store }));
    const response = await gw.get("/api/chat-list", {
      headers: {
        cookie: `theme=dark; psession=${SECRET}; other=1`,
        authorization: "Bearer client-token",
        "x-forwarded-for": "10.9.8.7",
        "x-api-key": "client-key",
        "user-agent": "sidebar-test/1.0",
      },
    });
    expect(response.status).toBe(200);
    const portalCalls = portal.calls;
    expect(portalCalls.length).toBeGreaterThan(0);
    for (const call of portalCalls) expect(call.headers.cookie).toBe(`psession=${SECRET}`);
    for (const call of [...portal.calls, ...registry.calls, ...store.calls]) {
      expect(call.headers.authorization).toBeUndefined();
      expect(call.headers["x-forwarded-for"]).toBeUndefined();
      expect(call.headers["x-api-key"]).toBeUndefined();
      expect(call.headers["user-agent"]).not.toBe("sidebar-test/1.0");
    }
    for (const call of [...registry.calls, ...store.calls])
      expect(call.headers.cookie).toBeUndefined();
  });

  it("never writes the cookie to the logs, even when the portal fails", async () => {
    const portal = await upstream({
      "/v1/portal/chats": { status: 500, json: { detail: `bad session ${SECRET}` } },
    });
    const gw = await gateway(configFor({ portal }));
    await gw.get("/api/chat-list", { psession: SECRET });
    portal.route({ "/v1/portal/chats": { status: 401, json: { detail: "Not authenticated" } } });
    await gw.get("/api/chat-list?workspace_path=/x", { psession: SECRET });
    expect(gw.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(gw.logs)).not.toContain(SECRET);
  });
});

describe("responses", () => {
  it("carry secure headers and never Set-Cookie", async () => {
    const gw = await gateway({ sources: [] });
    const response = await gw.get("/api/chat-list", { psession: SECRET });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("strict-transport-security")).not.toBeNull();
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("send no CORS headers by default", async () => {
    const gw = await gateway({ sources: [] });
    const response = await gw.get("/api/chat-list", {
      headers: { origin: "https://evil.example" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allow only the configured origins, such as a desktop webview", async () => {
    const gw = await gateway({ sources: [], http: { corsOrigins: ["tauri://localhost"] } });
    const allowed = await gw.get("/api/chat-list", { headers: { origin: "tauri://localhost" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("tauri://localhost");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    const other = await gw.get("/api/chat-list", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("limits", () => {
  it("refuses an over-long URL with a 414 problem", async () => {
    const gw = await gateway({ sources: [] });
    const response = await gw.get(`/api/chat-list?workspace_path=/${"a".repeat(9000)}`);
    expect(response.status).toBe(414);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect((await response.json()).code).toBe("uri_too_long");
  });

  it("refuses request headers over 16 KiB", async () => {
    const gw = await gateway({ sources: [] });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${gw.url}/api/chat-list`,
        { headers: { "x-padding": "p".repeat(20 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(431);
  });

  it("rate-limits a caller with a 429 problem and Retry-After, without limiting others", async () => {
    const gw = await gateway({ sources: [], rateLimit: { perMinute: 60, burst: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await gw.get("/api/chat-list", { psession: "greedy" })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await gw.get("/api/chat-list", { psession: "greedy" });
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.headers.get("content-type")).toBe("application/problem+json");
    expect((await limited.json()).code).toBe("rate_limited");
    expect((await gw.get("/api/chat-list", { psession: "polite" })).status).toBe(200);
    expect((await gw.get("/healthz")).status).toBe(200);
  });

  it("also limits a client address that invents a new cookie for every request", async () => {
    const gw = await gateway({
      sources: [],
      rateLimit: { perMinute: 60, burst: 3, addressPerMinute: 60, addressBurst: 5 },
    });
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await gw.get("/api/chat-list", { psession: `fresh-${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });
});

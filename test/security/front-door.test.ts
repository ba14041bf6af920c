import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { createForwardedAddressResolver } from "../../src/runtime/node/client-address.js";
import { rawRequest } from "../support/raw-http.js";
import { configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();
const TOKEN = "tttttttttttttttt0123456789abcdef";

/** The app as a given runtime builds it, with no upstream. */
function appWith(http: Record<string, unknown>, loopbackListener: boolean) {
  const app = createApp({
    config: parseConfig({ sources: [], http }),
    fetch: () => Promise.reject(new Error("no upstream")),
    loopbackListener,
  });
  // A state-changing route, to try the Origin rule on (the read route arrives with read state).
  app.post("/api/echo", (c) => c.json({ ok: true }));
  return app;
}

const hosted = (host: string, init: RequestInit = {}) =>
  new Request("http://gateway.invalid/api/chat-list", {
    ...init,
    headers: { host, ...init.headers },
  });

describe("the Host check (DNS rebinding)", () => {
  it("answers 421 host_not_allowed to a foreign Host on loopback, and asks no source", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const gw = await gateway(configFor({ registry }));
    const response = await rawRequest(`${gw.url}/api/chat-list`, {
      headers: { host: "evil.example.com" },
    });
    expect(response.status).toBe(421);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(JSON.parse(response.body)).toMatchObject({ code: "host_not_allowed", status: 421 });
    expect(registry.calls).toHaveLength(0);
  });

  it.each([
    "localhost:8787",
    "LOCALHOST",
    "app.localhost:1",
    "127.0.0.1:8787",
    "127.1.2.3",
    "[::1]:8787",
    "localhost.",
  ])("answers Host %s on loopback", async (host) => {
    const response = await appWith({}, true).fetch(hosted(host));
    expect(response.status).toBe(200);
  });

  it.each([
    "evil.example.com",
    "127.0.0.1.evil.example.com",
    "localhost.evil.com",
    "[::2]",
    "0.0.0.0",
  ])("refuses Host %s on loopback", async (host) => {
    const response = await appWith({}, true).fetch(hosted(host));
    expect(response.status).toBe(421);
  });

  it("answers the hosts in http.allowedHosts, exact or by *. suffix", async () => {
    const app = appWith({ allowedHosts: ["gw.example.com", "*.corp.example"] }, true);
    expect((await app.fetch(hosted("gw.example.com:443"))).status).toBe(200);
    expect((await app.fetch(hosted("a.b.corp.example"))).status).toBe(200);
    expect((await app.fetch(hosted("corp.example"))).status).toBe(421);
    expect((await app.fetch(hosted("other.example.com"))).status).toBe(421);
  });

  it("on another address checks Host only when http.allowedHosts is set", async () => {
    expect((await appWith({}, false).fetch(hosted("anything.example"))).status).toBe(200);
    const listed = appWith({ allowedHosts: ["gw.example.com"] }, false);
    expect((await listed.fetch(hosted("gw.example.com"))).status).toBe(200);
    expect((await listed.fetch(hosted("localhost"))).status).toBe(421);
  });
});

describe("the Origin rule for POST routes", () => {
  it("refuses a foreign Origin with 403 origin_not_allowed, whatever its cookies", async () => {
    const app = appWith({ corsOrigins: ["tauri://localhost"] }, true);
    const response = await app.fetch(
      new Request("http://localhost/api/echo", {
        method: "POST",
        headers: { origin: "https://evil.example", cookie: "psession=abc" },
      }),
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "origin_not_allowed" });
  });

  it("lets through a listed Origin, or none at all (not a browser)", async () => {
    const app = appWith({ corsOrigins: ["tauri://localhost"] }, true);
    const echo = (origin?: string) =>
      app.fetch(
        new Request("http://localhost/api/echo", {
          method: "POST",
          headers: origin === undefined ? {} : { origin },
        }),
      );
    expect((await echo("tauri://localhost")).status).toBe(200);
    expect((await echo()).status).toBe(200);
    expect((await echo("null")).status).toBe(403);
  });

  it("lets the gateway's own origin post (its /docs page), and no other scheme, host or port", async () => {
    const gw = await gateway({ sources: [], http: { corsOrigins: ["tauri://localhost"] } });
    const { port } = new URL(gw.url);
    const post = (origin: string) =>
      fetch(`${gw.url}/api/chat-list/read`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ items: [{ id: "gc-1" }] }),
      });
    // Past the Origin rule: the id is in nobody's list.
    const own = await post(gw.url);
    expect(own.status).toBe(404);
    expect(await own.json()).toMatchObject({ code: "not_found" });
    for (const other of [
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${Number(port) + 1}`,
      `http://localhost:${port}`,
    ]) {
      const refused = await post(other);
      expect(refused.status, other).toBe(403);
      expect(await refused.json()).toMatchObject({ code: "origin_not_allowed" });
    }
  });

  it("trusts no own origin where the Host is unchecked (a rebound name would pass for it)", async () => {
    const app = appWith({}, false);
    const response = await app.fetch(
      new Request("http://gw.example/api/echo", {
        method: "POST",
        headers: { origin: "http://gw.example" },
      }),
    );
    expect(response.status).toBe(403);
  });

  it("does not apply to GET, but for a stream", async () => {
    const app = appWith({}, true);
    const response = await app.fetch(
      new Request("http://localhost/api/chat-list", {
        headers: { origin: "https://evil.example" },
      }),
    );
    expect(response.status).toBe(200);
    const stream = await app.fetch(
      new Request("http://localhost/api/chat-list/stream", {
        headers: { origin: "https://evil.example" },
      }),
    );
    expect(stream.status).toBe(403);
  });
});

describe("http.accessToken", () => {
  const app = () => appWith({ accessToken: TOKEN, corsOrigins: ["tauri://localhost"] }, true);
  const list = (authorization?: string) =>
    app().fetch(
      new Request("http://localhost/api/chat-list", {
        headers: authorization === undefined ? {} : { authorization },
      }),
    );

  it("answers 401 token_required without a token, with a Bearer challenge", async () => {
    const response = await list();
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="chat-list-gateway"');
    expect(await response.json()).toMatchObject({ code: "token_required" });
  });

  it("answers 401 to a wrong token, of any length", async () => {
    for (const wrong of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      "Bearer x",
      `Basic ${TOKEN}`,
    ])
      expect((await list(wrong)).status).toBe(401);
  });

  it("answers the right token", async () => {
    expect((await list(`Bearer ${TOKEN}`)).status).toBe(200);
  });

  it("guards only /api/*: health probes and docs stay open", async () => {
    expect((await app().fetch(new Request("http://localhost/healthz"))).status).toBe(200);
    expect((await app().fetch(new Request("http://localhost/health"))).status).toBe(200);
  });

  it("lets a CORS preflight through (browsers send no credentials on it)", async () => {
    const response = await app().fetch(
      new Request("http://localhost/api/chat-list", {
        method: "OPTIONS",
        headers: {
          origin: "tauri://localhost",
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-headers")).toContain("Authorization");
  });

  it("is refused in config when shorter than 32 characters", () => {
    expect(() => parseConfig({ http: { accessToken: "short" } })).toThrow(/accessToken/);
  });
});

describe("the client address behind proxies (http.trustProxy)", () => {
  const chain = "198.51.100.7, 203.0.113.9";

  it("ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(createForwardedAddressResolver(false)("127.0.0.1", chain)).toBe("127.0.0.1");
  });

  it("takes the closest untrusted address for a hop count", () => {
    expect(createForwardedAddressResolver(1)("127.0.0.1", chain)).toBe("203.0.113.9");
    expect(createForwardedAddressResolver(2)("127.0.0.1", chain)).toBe("198.51.100.7");
    expect(createForwardedAddressResolver(5)("127.0.0.1", chain)).toBe("198.51.100.7");
    expect(createForwardedAddressResolver(1)("127.0.0.1", undefined)).toBe("127.0.0.1");
  });

  it("walks back only through trusted CIDRs", () => {
    const resolve = createForwardedAddressResolver(["127.0.0.0/8", "203.0.113.0/24"]);
    expect(resolve("127.0.0.1", chain)).toBe("198.51.100.7");
    expect(resolve("127.0.0.1", "198.51.100.7, 10.0.0.1")).toBe("10.0.0.1");
    // A peer that is not a trusted proxy cannot say who the client is.
    expect(resolve("192.0.2.1", chain)).toBe("192.0.2.1");
  });

  it("refuses a bad CIDR in config at start", () => {
    expect(() => createForwardedAddressResolver(["10.0.0.0/33"])).toThrow(/invalid range/);
  });
});

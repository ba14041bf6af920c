import { describe, expect, it } from "vitest";
import { useNodeEntry } from "../support/node-entry.js";
import { rawRequest } from "../support/raw-http.js";
import { configFor, executorsReply, useResources } from "../support/resources.js";

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
});

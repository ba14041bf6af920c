import { describe, expect, it } from "vitest";
import type { Reply } from "../support/fake-upstream.js";
import { agentsReply, configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

type SourceEntry = { name: string; status: string; error: string | null; item_count: number };
const statusOf = (body: { sources: SourceEntry[] }, name: string) =>
  body.sources.find((source) => source.name === name);

const faults: Array<[string, Reply, string, RegExp]> = [
  ["answers 500", { status: 500, json: { detail: "boom" } }, "error", /HTTP 500/],
  ["answers invalid JSON", { body: "{not json" }, "error", /not valid JSON/],
  ["resets the connection", { reset: true }, "error", /connection failed/],
  ["hangs", { hang: true }, "timeout", /no answer within 400 ms/],
];

describe("one failing source", () => {
  for (const [fault, reply, status, reason] of faults) {
    it(`still answers 200 with the other sources when one ${fault}`, async () => {
      const registry = await upstream({ "/executors": reply });
      const store = await upstream({ "/agents": agentsReply("reviewer") });
      const gw = await gateway(configFor({ registry, store }));

      const started = Date.now();
      const response = await gw.get("/api/chat-list");
      const elapsed = Date.now() - started;
      const body = await response.json();

      expect(response.status).toBe(200);
      expect(body.complete).toBe(false);
      expect(response.headers.get("x-chat-list-complete")).toBe("false");
      expect(statusOf(body, "executors")).toMatchObject({ status, item_count: 0 });
      expect(statusOf(body, "executors")?.error).toMatch(reason);
      expect(statusOf(body, "agents")?.status).toBe("ok");
      expect(body.items.map((item: { id: string }) => item.id)).toEqual(["reviewer"]);
      // A hanging upstream is given up on at its timeout, never held to the request deadline.
      expect(elapsed).toBeLessThan(1500);
    });
  }
});

describe("every source failing", () => {
  it("answers 502 problem+json with the sources when every source errors", async () => {
    const registry = await upstream({ "/executors": { status: 500 } });
    const store = await upstream({ "/agents": { body: "<html>oops</html>" } });
    const gw = await gateway(configFor({ registry, store }));
    const response = await gw.get("/api/chat-list");
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json();
    expect(body).toMatchObject({ status: 502, code: "upstream_error", complete: false });
    expect(body.sources.map((s: SourceEntry) => s.status)).toEqual(["error", "error"]);
    expect(body.detail).toContain("executors: error");
  });

  it("answers 504 when every source times out, within the source timeout", async () => {
    const registry = await upstream({ "/executors": { hang: true } });
    const store = await upstream({ "/agents": { delayMs: 3000, json: [] } });
    const gw = await gateway(configFor({ registry, store }));
    const started = Date.now();
    const response = await gw.get("/api/chat-list");
    expect(Date.now() - started).toBeLessThan(1500);
    expect(response.status).toBe(504);
    const body = await response.json();
    expect(body.code).toBe("upstream_timeout");
    expect(body.sources.map((s: SourceEntry) => s.status)).toEqual(["timeout", "timeout"]);
  });

  it("answers 502 when some time out and the others error", async () => {
    const registry = await upstream({ "/executors": { hang: true } });
    const store = await upstream({ "/agents": { status: 503 } });
    const gw = await gateway(configFor({ registry, store }));
    const response = await gw.get("/api/chat-list");
    expect(response.status).toBe(502);
  });

  it("answers 401 when the only asked source is a portal and no cookie was sent", async () => {
    const portal = await upstream({ "/v1/portal/chats": { json: [] } });
    const gw = await gateway(configFor({ portal }));
    const response = await gw.get("/api/chat-list");
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.code).toBe("unauthorized");
    expect(body.sources[0]).toMatchObject({ name: "portal", status: "unauthorized" });
    expect(portal.calls).toHaveLength(0);
  });

  it("answers 401 when the portal refuses the cookie", async () => {
    const portal = await upstream({
      "/v1/portal/chats": { status: 401, json: { detail: "Not authenticated" } },
    });
    const gw = await gateway(configFor({ portal }));
    const response = await gw.get("/api/chat-list", { psession: "expired" });
    expect(response.status).toBe(401);
    expect((await response.json()).sources[0].status).toBe("unauthorized");
  });

  it("remembers a refused cookie briefly instead of asking the portal again", async () => {
    const portal = await upstream({
      "/v1/portal/chats": { status: 401, json: { detail: "Not authenticated" } },
    });
    const gw = await gateway(configFor({ portal }));
    await gw.get("/api/chat-list", { psession: "expired" });
    const again = await gw.get("/api/chat-list", { psession: "expired" });
    expect(again.status).toBe(401);
    expect(portal.callsTo("/v1/portal/chats")).toHaveLength(1);
  });

  it("answers 200 with an empty list when every source is skipped", async () => {
    const portal = await upstream({ "/v1/portal/chats": { json: [] } });
    const gw = await gateway(configFor({ portal }));
    const response = await gw.get("/api/chat-list?include_global=false");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.sources[0].status).toBe("skipped");
    expect(body.complete).toBe(true);
    expect(portal.calls).toHaveLength(0);
  });
});

describe("include_global", () => {
  it('the string "false" drops portal chats and global agents and skips the portal', async () => {
    const portal = await upstream({
      "/v1/portal/chats": { json: [{ id: 1, chat_type: "group", name: "g" }] },
    });
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const store = await upstream({
      "/agents": {
        json: [
          { id: "global-one", is_global: true, session_count: 0, last_active: null },
          {
            id: "local-one",
            is_global: false,
            workspace_path: "/w",
            session_count: 0,
            last_active: null,
          },
        ],
      },
    });
    const gw = await gateway(configFor({ portal, registry, store }));
    const response = await gw.get("/api/chat-list?include_global=false&workspace_path=/w", {
      psession: "s",
    });
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.items.map((item: { id: string }) => item.id).sort()).toEqual([
      "CODEX",
      "local-one",
    ]);
    expect(body.sources[0]).toMatchObject({ name: "portal", status: "skipped" });
    expect(body.complete).toBe(true);
    expect(portal.calls).toHaveLength(0);
    expect(store.callsTo("/agents")[0]?.query.include_global).toBe("false");
  });

  it('"0" also turns global resources off, and "1" on', async () => {
    const portal = await upstream({
      "/v1/portal/chats": { json: [{ id: 1, chat_type: "group", name: "g" }] },
    });
    const gw = await gateway(configFor({ portal }));
    const off = await (await gw.get("/api/chat-list?include_global=0", { psession: "s" })).json();
    const on = await (await gw.get("/api/chat-list?include_global=1", { psession: "s" })).json();
    expect(off.counts.group_chats).toBe(0);
    expect(on.counts.group_chats).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import type { FakeUpstream, RecordedCall, Reply } from "../support/fake-upstream.js";
import { agentsReply, configFor, executorsReply } from "../support/fixtures.js";
import type { ContractHarness } from "./harness.js";

type SourceEntry = { name: string; status: string; error: string | null; item_count: number };
type Body = { items: { id: string }[]; sources: SourceEntry[]; counts: Record<string, number> };
// biome-ignore lint/suspicious/noExplicitAny: the tests assert on the JSON they read, field by field.
type Json = any;
/** The parsed body; typed loosely because the assertions are what check its shape. */
const json = (response: Response): Promise<Json> => response.json();

const ids = (body: Body) => body.items.map((item) => item.id);
const statusOf = (body: Body, name: string) => body.sources.find((source) => source.name === name);

const portalChats = [
  {
    id: "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
    chat_type: "group",
    name: "general",
    visibility: "official",
    description: "The main chat.",
    secrets: [],
    archived: false,
  },
  { id: 42, chat_type: "direct", name: "ana", visibility: "private", archived: true },
];

function threeSources(
  portal: FakeUpstream,
  registry: FakeUpstream,
  store: FakeUpstream,
  timeoutMs = 1000,
) {
  return configFor({ portal, registry, store }, {}, timeoutMs);
}

/** A running Viben's /api/group-chats: one workspace chat without counts (so its members and
 * sessions are asked), one global chat in Viben's own folder with counts, and one chat of
 * another workspace. */
const vibenGroupChats: Record<string, Reply> = {
  "/group-chats": {
    json: {
      group_chats: [
        {
          id: "project-chat",
          name: "Project Discussion",
          description: "Team collaboration chat",
          workspace_path: "/home/ana/proj",
          created_at: "2026-03-01T09:00:00Z",
          updated_at: "2026-03-01T09:00:00Z",
        },
        {
          id: "gc-abc123",
          name: "Design review",
          workspacePath: "/home/ana/.viben",
          memberCount: 4,
          sessionCount: 1,
          unreadCount: 2,
          lastMessageAt: 1773043200000,
        },
        { id: "elsewhere", name: "Elsewhere", workspace_path: "/home/bob/other", member_count: 1 },
      ],
    },
  },
  "/group-chats/project-chat/members": {
    json: { members: [{ id: "m1", type: "human" }, { id: "m2", type: "agent" }, { id: "m3" }] },
  },
  "/group-chats/project-chat/sessions": {
    json: {
      sessions: [
        { id: "s1", updated_at: "2026-03-10T12:00:00Z", last_message_at: "2026-03-10T14:30:00Z" },
        { id: "s2", updated_at: "2026-03-11T00:00:00Z" },
      ],
    },
  },
};

/** A portal that lists, for each session, only that user's own chat. */
function chatsBySession(call: RecordedCall): Reply {
  const cookie = String(call.headers.cookie ?? "");
  const user = /psession=([^;]+)/.exec(cookie)?.[1] ?? "nobody";
  return {
    delayMs: 20,
    json: [{ id: `chat-of-${user}`, chat_type: "group", name: `${user}'s chat` }],
  };
}

/**
 * The HTTP contract of GET /api/chat-list (DESIGN §1), written once and run against every
 * runtime the gateway ships on.
 */
export function chatListContract({ runtime, upstream, gateway }: ContractHarness) {
  describe(`GET /api/chat-list on ${runtime}`, () => {
    it("merges every source into one sorted, counted list with every field", async () => {
      const portal = await upstream({
        "/v1/portal/chats": { json: portalChats },
        "/v1/portal/chats/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6/history": {
          json: [{ id: "1710000000000-0", timestamp: "2026-03-10T12:00:00Z" }],
        },
        "/v1/portal/chats/42/history": { json: [] },
      });
      const registry = await upstream({
        "/executors": {
          json: {
            executors: [
              {
                type: "CLAUDE_CODE",
                name: "Claude Code",
                is_available: true,
                supports_mcp: true,
                session_count: 5,
                last_active: "2026-03-11T09:00:00Z",
              },
              {
                type: "CODEX",
                name: "Codex",
                availability: { type: "NOT_FOUND" },
                session_count: 0,
                last_active: null,
              },
            ],
          },
        },
      });
      const store = await upstream({
        "/agents": {
          json: {
            agents: [
              {
                id: "reviewer",
                name: "Reviewer",
                model: "m1",
                provider: "p1",
                is_global: true,
                session_count: 1,
                last_active: 1773100000000,
              },
            ],
          },
        },
      });
      const gw = await gateway(threeSources(portal, registry, store));

      const response = await gw.get("/api/chat-list?workspace_path=/home/ana/proj/", {
        psession: "s1",
      });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(ids(body)).toEqual([
        "CLAUDE_CODE",
        "gc-a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
        "reviewer",
        "gc-42",
        "CODEX",
      ]);
      expect(body.counts).toEqual({ group_chats: 2, executors: 2, agents: 1 });
      expect(body.complete).toBe(true);
      expect(body.workspace_path).toBe("/home/ana/proj");
      expect(body.next_cursor).toBeNull();
      expect(body.sources.map((s: SourceEntry) => [s.name, s.status, s.item_count])).toEqual([
        ["portal", "ok", 2],
        ["executors", "ok", 2],
        ["agents", "ok", 1],
      ]);
      expect(body.items[1]).toEqual({
        id: "gc-a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
        type: "group_chat",
        item_type: "group_chat",
        name: "general",
        description: "The main chat.",
        last_active: "2026-03-10T12:00:00.000Z",
        source: "global",
        source_name: "portal",
        member_count: null,
        session_count: null,
        unread_count: null,
        workspace_path: null,
        is_global: true,
        upstream_id: "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
        chat_type: "group",
        visibility: "official",
        archived: false,
        avatar_url: null,
        secrets: [],
      });
      expect(body.items[0]).toEqual({
        id: "CLAUDE_CODE",
        type: "executor",
        item_type: "executor",
        icon_type: "CLAUDE_CODE",
        name: "Claude Code",
        description: null,
        last_active: "2026-03-11T09:00:00.000Z",
        source: "global",
        source_name: "executors",
        is_available: true,
        supports_mcp: true,
        session_count: 5,
      });
      expect(body.items[2]).toEqual({
        id: "reviewer",
        type: "agent",
        item_type: "agent",
        name: "Reviewer",
        description: null,
        last_active: "2026-03-09T23:46:40.000Z",
        source: "global",
        source_name: "agents",
        model: "m1",
        provider: "p1",
        session_count: 1,
        workspace_path: null,
        is_global: true,
      });
      expect(response.headers.get("x-chat-list-complete")).toBe("true");
      expect(response.headers.get("cache-control")).toContain("private");
      expect(response.headers.get("server-timing")).toMatch(
        /^portal;dur=[\d.]+;desc="ok", executors;dur=[\d.]+;desc="ok", agents;dur=[\d.]+;desc="ok", total;dur=[\d.]+$/,
      );
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(registry.callsTo("/executors")[0]?.query).toEqual({
        workspace_path: "/home/ana/proj",
        include_global: "true",
      });
    });

    it("lists a group chat store's chats, asking members and sessions only where counts are missing", async () => {
      const store = await upstream(vibenGroupChats);
      const gw = await gateway({
        sources: [{ kind: "group_chat_store", name: "viben-chats", baseUrl: store.url }],
      });
      const response = await gw.get("/api/chat-list?workspace_path=/home/ana/proj");
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body.items).toEqual([
        {
          id: "gc-project-chat",
          type: "group_chat",
          item_type: "group_chat",
          name: "Project Discussion",
          description: "Team collaboration chat",
          last_active: "2026-03-10T14:30:00.000Z",
          source: "workspace",
          source_name: "viben-chats",
          member_count: 3,
          session_count: 2,
          unread_count: null,
          workspace_path: "/home/ana/proj",
          is_global: false,
        },
        {
          id: "gc-abc123",
          type: "group_chat",
          item_type: "group_chat",
          name: "Design review",
          description: null,
          last_active: "2026-03-09T08:00:00.000Z",
          source: "global",
          source_name: "viben-chats",
          member_count: 4,
          session_count: 1,
          unread_count: 2,
          workspace_path: null,
          is_global: true,
        },
      ]);
      expect(body.counts).toEqual({ group_chats: 2, executors: 0, agents: 0 });
      expect(store.calls.map((call) => [call.path, call.query])).toEqual([
        ["/group-chats", { workspace_path: "/home/ana/proj", include_global: "true" }],
        ["/group-chats/project-chat/members", { workspace_path: "/home/ana/proj" }],
        ["/group-chats/project-chat/sessions", { workspace_path: "/home/ana/proj" }],
      ]);
    });

    it('drops global group chats from a store for include_global="false"', async () => {
      const store = await upstream(vibenGroupChats);
      const gw = await gateway({
        sources: [{ kind: "group_chat_store", name: "viben-chats", baseUrl: store.url }],
      });
      const body = await json(
        await gw.get("/api/chat-list?workspace_path=/home/ana/proj&include_global=false"),
      );
      expect(ids(body)).toEqual(["gc-project-chat"]);
      expect(store.callsTo("/group-chats")[0]?.query.include_global).toBe("false");
    });

    it("answers a bad query with a 400 problem naming each bad parameter, and calls no upstream", async () => {
      const registry = await upstream({ "/executors": executorsReply("CODEX") });
      const gw = await gateway(configFor({ registry }));
      const response = await gw.get(
        "/api/chat-list?workspace_path=relative/path&include_global=maybe",
      );
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = await json(response);
      expect(body).toMatchObject({
        status: 400,
        code: "invalid_query",
        type: "urn:chat-list:problem:invalid_query",
      });
      expect(body.errors.map((error: { parameter: string }) => error.parameter).sort()).toEqual([
        "include_global",
        "workspace_path",
      ]);
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/);
      expect(registry.calls).toHaveLength(0);
    });

    it("answers an unknown path with a 404 problem", async () => {
      const gw = await gateway({ sources: [] });
      const response = await gw.get("/api/nothing-here");
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect((await json(response)).code).toBe("not_found");
    });

    const faults: Array<[string, Reply, string, RegExp]> = [
      ["answers 500", { status: 500, json: { detail: "boom" } }, "error", /HTTP 500/],
      ["answers invalid JSON", { body: "{not json" }, "error", /not valid JSON/],
      ["resets the connection", { reset: true }, "error", /connection failed/],
      ["hangs", { hang: true }, "timeout", /no answer within 400 ms/],
    ];
    for (const [fault, reply, status, reason] of faults) {
      it(`still answers 200 with the other sources when one ${fault}`, async () => {
        const registry = await upstream({ "/executors": reply });
        const store = await upstream({ "/agents": agentsReply("reviewer") });
        const gw = await gateway(configFor({ registry, store }));

        const started = Date.now();
        const response = await gw.get("/api/chat-list");
        const elapsed = Date.now() - started;
        const body = await json(response);

        expect(response.status).toBe(200);
        expect(body.complete).toBe(false);
        expect(response.headers.get("x-chat-list-complete")).toBe("false");
        expect(statusOf(body, "executors")).toMatchObject({ status, item_count: 0 });
        expect(statusOf(body, "executors")?.error).toMatch(reason);
        expect(statusOf(body, "agents")?.status).toBe("ok");
        expect(ids(body)).toEqual(["reviewer"]);
        // A hanging upstream is given up on at its timeout, never held to the request deadline.
        expect(elapsed).toBeLessThan(1500);
      });
    }

    it("answers 502 problem+json with the sources when every source errors", async () => {
      const registry = await upstream({ "/executors": { status: 500 } });
      const store = await upstream({ "/agents": { body: "<html>oops</html>" } });
      const gw = await gateway(configFor({ registry, store }));
      const response = await gw.get("/api/chat-list");
      expect(response.status).toBe(502);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = await json(response);
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
      const body = await json(response);
      expect(body.code).toBe("upstream_timeout");
      expect(body.sources.map((s: SourceEntry) => s.status)).toEqual(["timeout", "timeout"]);
    });

    it("answers 502 when some sources time out and the others error", async () => {
      const registry = await upstream({ "/executors": { hang: true } });
      const store = await upstream({ "/agents": { status: 503 } });
      const gw = await gateway(configFor({ registry, store }));
      expect((await gw.get("/api/chat-list")).status).toBe(502);
    });

    it("answers 401 when the only source is a portal and no cookie was sent: skipped, not asked", async () => {
      const portal = await upstream({ "/v1/portal/chats": { json: [] } });
      const gw = await gateway(configFor({ portal }));
      const response = await gw.get("/api/chat-list");
      expect(response.status).toBe(401);
      const body = await json(response);
      expect(body.code).toBe("unauthorized");
      expect(body.sources[0]).toMatchObject({
        name: "portal",
        status: "skipped",
        note: "no psession cookie sent",
        error: null,
      });
      expect(body.detail).toBe("portal: skipped (no psession cookie sent)");
      expect(portal.calls).toHaveLength(0);
    });

    it("answers a complete 200 without a cookie when the other sources answered", async () => {
      const portal = await upstream({ "/v1/portal/chats": { json: portalChats } });
      const registry = await upstream({ "/executors": executorsReply("CODEX") });
      const gw = await gateway(configFor({ portal, registry }));
      const response = await gw.get("/api/chat-list");
      expect(response.status).toBe(200);
      expect(response.headers.get("x-chat-list-complete")).toBe("true");
      const body = await json(response);
      expect(body.complete).toBe(true);
      expect(ids(body)).toEqual(["CODEX"]);
      expect(
        body.sources.map((s: SourceEntry & { note: string | null }) => [s.name, s.status, s.note]),
      ).toEqual([
        ["portal", "skipped", "no psession cookie sent"],
        ["executors", "ok", null],
      ]);
      expect(portal.calls).toHaveLength(0);
    });

    it("answers 401 without a cookie when the other sources failed", async () => {
      const portal = await upstream({ "/v1/portal/chats": { json: portalChats } });
      const registry = await upstream({ "/executors": { status: 503 } });
      const gw = await gateway(configFor({ portal, registry }));
      const response = await gw.get("/api/chat-list");
      expect(response.status).toBe(401);
      const body = await json(response);
      expect(body.code).toBe("unauthorized");
      expect(body.complete).toBe(false);
      expect(body.sources.map((s: SourceEntry) => s.status)).toEqual(["skipped", "error"]);
    });

    it("answers 401 when the portal refuses the cookie, and remembers that briefly", async () => {
      const portal = await upstream({
        "/v1/portal/chats": { status: 401, json: { detail: "Not authenticated" } },
      });
      const gw = await gateway(configFor({ portal }));
      const response = await gw.get("/api/chat-list", { psession: "expired" });
      expect(response.status).toBe(401);
      expect((await json(response)).sources[0].status).toBe("unauthorized");
      expect((await gw.get("/api/chat-list", { psession: "expired" })).status).toBe(401);
      expect(portal.callsTo("/v1/portal/chats")).toHaveLength(1);
    });

    it("answers 200 with an empty list when every source is skipped", async () => {
      const portal = await upstream({ "/v1/portal/chats": { json: [] } });
      const gw = await gateway(configFor({ portal }));
      const response = await gw.get("/api/chat-list?include_global=false");
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body.sources[0].status).toBe("skipped");
      expect(body.complete).toBe(true);
      expect(portal.calls).toHaveLength(0);
    });

    it('drops portal chats and global agents and skips the portal for include_global="false"', async () => {
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
      const gw = await gateway(threeSources(portal, registry, store, 400));
      const response = await gw.get("/api/chat-list?include_global=false&workspace_path=/w", {
        psession: "s",
      });
      const body = await json(response);
      expect(response.status).toBe(200);
      expect(ids(body).sort()).toEqual(["CODEX", "local-one"]);
      expect(body.sources[0]).toMatchObject({ name: "portal", status: "skipped" });
      expect(body.complete).toBe(true);
      expect(portal.calls).toHaveLength(0);
      expect(store.callsTo("/agents")[0]?.query.include_global).toBe("false");
    });

    it("keeps psession users apart, cold and warm, under concurrency and across workspaces", async () => {
      const portal = await upstream({ "/v1/portal/chats": chatsBySession });
      const gw = await gateway(configFor({ portal }));
      const users = ["alice", "bob", "carol", "dave"];
      for (let round = 0; round < 2; round++) {
        const requests = Array.from({ length: 40 }, (_, index) => {
          const user = users[index % users.length] as string;
          const workspace = index % 3 === 0 ? "" : `?workspace_path=/w${index % 2}`;
          return gw
            .get(`/api/chat-list${workspace}`, { psession: user })
            .then(async (response) => ({ user, body: await json(response) }));
        });
        for (const { user, body } of await Promise.all(requests))
          expect(ids(body)).toEqual([`gc-chat-of-${user}`]);
      }
      // Portal chats are per user, not per workspace: one list call per user in all.
      expect(portal.callsTo("/v1/portal/chats")).toHaveLength(users.length);
      const anonymous = await gw.get("/api/chat-list");
      expect(anonymous.status).toBe(401);
      expect(JSON.stringify(await json(anonymous))).not.toContain("chat-of");
    });

    it("makes exactly one upstream call per source for 40 concurrent cold requests", async () => {
      const portal = await upstream({
        "/v1/portal/chats": { delayMs: 100, json: [{ id: 7, chat_type: "group", name: "seven" }] },
        "/v1/portal/chats/7/history": { json: [{ id: "1710000000000-0" }] },
      });
      const registry = await upstream({
        "/executors": {
          delayMs: 100,
          json: [{ type: "CODEX", is_available: true, session_count: 2, last_active: null }],
        },
      });
      const store = await upstream({
        "/agents": {
          delayMs: 100,
          json: [{ id: "a", is_global: true, session_count: 1, last_active: null }],
        },
      });
      const gw = await gateway(threeSources(portal, registry, store, 2000));
      const responses = await Promise.all(
        Array.from({ length: 40 }, () =>
          gw.get("/api/chat-list?workspace_path=/w", { psession: "same-user" }),
        ),
      );
      const bodies: Body[] = await Promise.all(responses.map(json));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      for (const body of bodies)
        expect(body.counts).toEqual({ group_chats: 1, executors: 1, agents: 1 });
      expect(portal.callsTo("/v1/portal/chats")).toHaveLength(1);
      expect(portal.callsTo("/v1/portal/chats/7/history")).toHaveLength(1);
      expect(registry.callsTo("/executors")).toHaveLength(1);
      expect(store.callsTo("/agents")).toHaveLength(1);
    });

    it("serves a repeated request from the per-source cache", async () => {
      const registry = await upstream({ "/executors": executorsReply("CODEX") });
      const gw = await gateway(configFor({ registry }));
      await gw.get("/api/chat-list?workspace_path=/a");
      const second = await json(await gw.get("/api/chat-list?workspace_path=/a/"));
      expect(second.counts.executors).toBe(1);
      expect(registry.callsTo("/executors")).toHaveLength(1);
    });

    it("pages with limit and cursor: pages join into the unpaged list, with the same counts", async () => {
      const registry = await upstream({ "/executors": executorsReply("A", "B", "C", "D", "E") });
      const store = await upstream({ "/agents": agentsReply("x", "y") });
      const gw = await gateway(configFor({ registry, store }));
      const whole = await json(await gw.get("/api/chat-list"));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
        const page = await json(await gw.get(`/api/chat-list?limit=3${query}`));
        expect(page.items.length).toBeLessThanOrEqual(3);
        expect(page.counts).toEqual(whole.counts);
        if (cursor !== null) {
          const retried = await json(await gw.get(`/api/chat-list?limit=3${query}`));
          expect(ids(retried)).toEqual(ids(page));
        }
        seen.push(...ids(page));
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(seen).toEqual(ids(whole));
      expect(whole.next_cursor).toBeNull();
    });

    it("refuses a tampered cursor, and a cursor used with another query, with a 400 problem", async () => {
      const registry = await upstream({ "/executors": executorsReply("A", "B", "C") });
      const gw = await gateway(configFor({ registry }));
      const first = await json(await gw.get("/api/chat-list?limit=1"));
      const cursor: string = first.next_cursor;
      const tampered = `${cursor.slice(0, 5)}${cursor[5] === "A" ? "B" : "A"}${cursor.slice(6)}`;
      for (const path of [
        `/api/chat-list?limit=1&cursor=${encodeURIComponent(tampered)}`,
        "/api/chat-list?limit=1&cursor=not-a-cursor",
        `/api/chat-list?limit=1&include_global=false&cursor=${encodeURIComponent(cursor)}`,
      ]) {
        const response = await gw.get(path);
        expect(response.status).toBe(400);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        expect((await json(response)).code).toBe("invalid_cursor");
      }
    });

    it("refuses another caller's cursor with a 400 problem", async () => {
      const registry = await upstream({ "/executors": executorsReply("A", "B", "C") });
      const gw = await gateway(configFor({ registry }));
      const first = await json(await gw.get("/api/chat-list?limit=1", { psession: "ana" }));
      const path = `/api/chat-list?limit=1&cursor=${encodeURIComponent(first.next_cursor)}`;
      expect((await gw.get(path, { psession: "ana" })).status).toBe(200);
      for (const other of [{ psession: "mallory" }, {}]) {
        const response = await gw.get(path, other);
        expect(response.status).toBe(400);
        expect((await json(response)).code).toBe("invalid_cursor");
      }
    });

    it("gives cursors that show neither the name nor the id of the item they point after", async () => {
      const registry = await upstream({
        "/executors": executorsReply("PROJECT_NIGHTINGALE", "PROJECT_OSPREY"),
      });
      const gw = await gateway(configFor({ registry }));
      const first = await json(await gw.get("/api/chat-list?limit=1"));
      const cursor: string = first.next_cursor;
      // Whatever base64 the cursor is cut into, none of it decodes to the item's id or name.
      const decoded = cursor
        .split(/[^A-Za-z0-9_-]/)
        .flatMap((part) => [0, 1, 2, 3].map((skip) => part.slice(skip)))
        .map((part) => {
          try {
            return atob(
              part
                .replace(/-/g, "+")
                .replace(/_/g, "/")
                .slice(0, part.length & ~3),
            );
          } catch {
            return "";
          }
        })
        .join("\n");
      expect(first.items[0].id).toMatch(/^PROJECT_/);
      expect(`${cursor}\n${decoded}`).not.toMatch(/PROJECT|NIGHTINGALE|OSPREY/);
    });

    it("filters by type: counts follow the filter and sources of other types are skipped", async () => {
      const portal = await upstream({
        "/v1/portal/chats": { json: [{ id: 1, chat_type: "group", name: "g" }] },
      });
      const registry = await upstream({ "/executors": executorsReply("A") });
      const store = await upstream({ "/agents": agentsReply("x") });
      const gw = await gateway(threeSources(portal, registry, store));
      const body = await json(
        await gw.get("/api/chat-list?type=agent,executor", { psession: "s" }),
      );
      expect(body.counts).toEqual({ group_chats: 0, executors: 1, agents: 1 });
      expect(body.sources.map((source: SourceEntry) => source.status)).toEqual([
        "skipped",
        "ok",
        "ok",
      ]);
      expect(portal.calls).toHaveLength(0);
      expect((await gw.get("/api/chat-list?type=agent,bogus")).status).toBe(400);
    });

    it("answers 304 with no body for the current ETag, and a new ETag once the list changes", async () => {
      const registry = await upstream({ "/executors": executorsReply("A") });
      const gw = await gateway(configFor({ registry }, { cache: { ttlMs: 0, staleIfErrorMs: 0 } }));
      const first = await gw.get("/api/chat-list");
      const etag = first.headers.get("etag") as string;
      expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
      const again = await gw.get("/api/chat-list", { headers: { "if-none-match": etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      registry.route({ "/executors": executorsReply("A", "B") });
      const changed = await gw.get("/api/chat-list", { headers: { "if-none-match": etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(etag);
      expect((await json(changed)).counts.executors).toBe(2);
    });

    it("gives two users different ETags for the same list", async () => {
      const registry = await upstream({ "/executors": executorsReply("A") });
      const gw = await gateway(configFor({ registry }));
      const alice = (await gw.get("/api/chat-list", { psession: "alice" })).headers.get("etag");
      const bob = await gw.get("/api/chat-list", {
        psession: "bob",
        headers: { "if-none-match": alice as string },
      });
      expect(bob.status).toBe(200);
      expect(bob.headers.get("etag")).not.toBe(alice);
    });

    it("answers /healthz and /readyz without touching an upstream", async () => {
      const registry = await upstream({ "/executors": executorsReply("CODEX") });
      const gw = await gateway(configFor({ registry }));
      expect(await json(await gw.get("/healthz"))).toMatchObject({
        status: "ok",
        service: "chat-list-gateway",
      });
      expect(await json(await gw.get("/health"))).toMatchObject({
        status: "ok",
        service: "chat-list-gateway",
      });
      expect(await json(await gw.get("/readyz"))).toEqual({
        status: "ready",
        sources: [{ name: "executors", kind: "executor_registry" }],
        state: expect.objectContaining({ reachable: true }),
      });
      expect(registry.calls).toHaveLength(0);
    });
  });
}

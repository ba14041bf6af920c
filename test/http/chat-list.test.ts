import { describe, expect, it } from "vitest";
import type { FakeUpstream } from "../support/fake-upstream.js";
import { useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

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

function threeSources(portal: FakeUpstream, registry: FakeUpstream, store: FakeUpstream) {
  return {
    sources: [
      { kind: "portal", name: "portal", baseUrl: portal.url, timeoutMs: 1000 },
      { kind: "executor_registry", name: "executors", baseUrl: registry.url, timeoutMs: 1000 },
      { kind: "agent_store", name: "agents", baseUrl: store.url, timeoutMs: 1000 },
    ],
  };
}

describe("GET /api/chat-list", () => {
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
    const body = await response.json();
    expect(body.items.map((item: { id: string }) => item.id)).toEqual([
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
    expect(body.sources.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ["portal", "ok"],
      ["executors", "ok"],
      ["agents", "ok"],
    ]);
    expect(body.items[1]).toEqual({
      id: "gc-a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
      type: "group_chat",
      name: "general",
      description: "The main chat.",
      last_active: "2026-03-10T12:00:00.000Z",
      source: "portal",
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
});

describe("Viben-shaped upstreams", () => {
  it("lists executors and agents that carry neither session_count nor last_active, counting their sessions", async () => {
    const registry = await upstream({
      "/executors": {
        json: {
          executors: [
            { type: "CLAUDE_CODE", name: "Claude Code", availability: { type: "LOGIN_DETECTED" } },
          ],
        },
      },
      "/executors/CLAUDE_CODE/sessions": {
        json: {
          sessions: [
            {
              id: "s1",
              workspace_path: "/w",
              created_at: "2026-01-01T00:00:00Z",
              updated_at: "2026-01-02T00:00:00Z",
            },
          ],
        },
      },
    });
    const store = await upstream({
      "/agents": { json: { agents: [{ id: "viben:helper", name: "Helper", source: "global" }] } },
      "/agents/viben%3Ahelper/sessions": {
        json: { sessions: [{ id: "a1", last_message_at: 1767312000000 }] },
      },
    });
    const gw = await gateway({
      sources: [
        { kind: "executor_registry", name: "executors", baseUrl: registry.url },
        { kind: "agent_store", name: "agents", baseUrl: store.url },
      ],
    });
    const body = await (await gw.get("/api/chat-list?workspace_path=/w")).json();
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "CLAUDE_CODE",
        is_available: true,
        session_count: 1,
        last_active: "2026-01-02T00:00:00.000Z",
      }),
      expect.objectContaining({
        id: "helper",
        session_count: 1,
        last_active: "2026-01-02T00:00:00.000Z",
      }),
    ]);
  });
});

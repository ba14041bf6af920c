import { describe, expect, it } from "vitest";
import type { FakeUpstream, Route } from "../support/fake-upstream.js";
import { useResources } from "../support/resources.js";

// DESIGN.md §2, `executor_registry`: the whole gateway against real loopback registries.

const resources = useResources();

const WORKSPACE = "/home/ana/proj";

interface Item {
  id: string;
  [field: string]: unknown;
}
interface ListBody {
  items: Item[];
  counts: { group_chats: number; executors: number; agents: number };
  sources: Array<{ name: string; status: string; item_count: number; error: string | null }>;
  complete: boolean;
}

/** An executor that needs no sessions call (it reports its own count and activity). */
function executor(type: unknown, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type,
    name: `Executor ${String(type)}`,
    description: null,
    is_available: true,
    supports_mcp: false,
    session_count: 0,
    last_active: null,
    ...fields,
  };
}

async function registry(routes: Record<string, Route>): Promise<FakeUpstream> {
  const server = await resources.upstream(routes);
  return server;
}

/** GET the chat list from a gateway whose only sources are the given registries, in order. */
async function chatList(
  registries: FakeUpstream[],
  path = `/api/chat-list?workspace_path=${WORKSPACE}`,
): Promise<{ status: number; body: ListBody }> {
  const gateway = await resources.gateway({
    sources: registries.map((server, index) => ({
      kind: "executor_registry",
      name: ["alpha", "beta", "gamma"][index],
      baseUrl: server.url,
      timeoutMs: 1500,
    })),
  });
  const response = await gateway.get(path);
  return { status: response.status, body: (await response.json()) as ListBody };
}

const itemById = (body: ListBody, id: string) => body.items.find((item) => item.id === id);

describe("executor registry: body shapes", () => {
  it.each([
    ["a bare array", (list: unknown[]) => list],
    ["an {executors: [...]} object", (list: unknown[]) => ({ executors: list })],
  ])("reads executors from %s", async (_case, wrap) => {
    const server = await registry({
      "/executors": { json: wrap([executor("CLAUDE_CODE"), executor("CODEX")]) },
    });

    const { status, body } = await chatList([server]);

    expect(status).toBe(200);
    expect(body.items.map((item) => item.id).sort()).toEqual(["CLAUDE_CODE", "CODEX"]);
    expect(body.counts.executors).toBe(2);
    expect(body.sources[0]).toMatchObject({ status: "ok", item_count: 2 });
  });

  it("asks for the executors of the requested workspace", async () => {
    const server = await registry({ "/executors": { json: [executor("CODEX")] } });

    await chatList([server]);

    expect(server.callsTo("/executors").map((call) => call.query)).toEqual([
      { workspace_path: WORKSPACE, include_global: "true" },
    ]);
  });

  it.each([
    ["a non-list object", { foo: 1 }],
    ["executors that is not a list", { executors: { CODEX: { name: "Codex" } } }],
    ["a JSON string", "CODEX"],
    ["JSON null", null],
  ])("reports the source as error when the body is %s", async (_case, json) => {
    const server = await registry({ "/executors": { json } });

    const { status, body } = await chatList([server]);

    expect(status).toBe(502);
    expect(body.sources).toHaveLength(1);
    expect(body.sources[0]).toMatchObject({ name: "alpha", status: "error", item_count: 0 });
    expect(body.complete).toBe(false);
  });

  it("drops a malformed executor and keeps the others, the source staying ok", async () => {
    const server = await registry({
      "/executors": {
        json: [
          executor("CLAUDE_CODE"),
          executor(undefined, { name: "neither type nor id" }),
          executor({ nested: "CODEX" }, { name: "object type" }),
          executor("GEMINI", { is_available: "yes" }),
          null,
          "AMP",
          executor("COPILOT"),
        ],
      },
    });

    const { status, body } = await chatList([server]);

    expect(status).toBe(200);
    expect(body.items.map((item) => item.id).sort()).toEqual(["CLAUDE_CODE", "COPILOT"]);
    expect(body.sources[0]).toMatchObject({ status: "ok", item_count: 2, error: null });
    expect(body.complete).toBe(true);
  });
});

describe("executor registry: identity and availability", () => {
  it.each([
    ["NOT_FOUND", false],
    ["LOGIN_DETECTED", true],
    ["INSTALLATION_FOUND", true],
  ])("maps availability {type: %s} to is_available %s", async (availability, expected) => {
    const { is_available: _omitted, ...rest } = executor("CODEX");
    const server = await registry({
      "/executors": { json: [{ ...rest, availability: { type: availability } }] },
    });

    const { body } = await chatList([server]);

    expect(itemById(body, "CODEX")?.is_available).toBe(expected);
  });

  it("uses id when type is missing", async () => {
    const { type: _omitted, ...rest } = executor("unused");
    const server = await registry({
      "/executors": { json: [{ ...rest, id: "GEMINI", name: "Gemini" }] },
    });

    const { body } = await chatList([server]);

    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ id: "GEMINI", type: "executor", name: "Gemini" });
  });

  it.each([
    ["claude-code", "CLAUDE_CODE"],
    ["cursor_agent", "CURSOR_AGENT"],
    ["qwen-code", "QWEN_CODE"],
    ["opencode", "OPENCODE"],
  ])("normalizes the type %j to the upper-case id %j", async (raw, id) => {
    const server = await registry({ "/executors": { json: [executor(raw)] } });

    const { body } = await chatList([server]);

    expect(body.items.map((item) => item.id)).toEqual([id]);
  });
});

describe("executor registry: aliases and timestamps", () => {
  it("reads camelCase aliases isAvailable, supportsMcp, sessionCount and lastActive", async () => {
    const server = await registry({
      "/executors": {
        json: [
          {
            type: "GEMINI",
            name: "Gemini",
            isAvailable: true,
            supportsMcp: true,
            sessionCount: 4,
            lastActive: "2026-03-01T08:30:00Z",
          },
        ],
      },
    });

    const { body } = await chatList([server]);

    expect(itemById(body, "GEMINI")).toEqual({
      id: "GEMINI",
      type: "executor",
      item_type: "executor",
      icon_type: "GEMINI",
      name: "Gemini",
      description: null,
      last_active: "2026-03-01T08:30:00.000Z",
      source: "global",
      source_name: "alpha",
      is_available: true,
      supports_mcp: true,
      session_count: 4,
    });
    expect(server.callsTo("/executors/GEMINI/sessions")).toHaveLength(0);
  });

  it.each([
    ["epoch milliseconds", 1773100000000],
    ["epoch seconds", 1773100000],
    ["a Redis stream id", "1773100000000-3"],
    ["ISO-8601 with an offset", "2026-03-10T01:46:40+02:00"],
  ])("reads last_active given as %s", async (_case, lastActive) => {
    const server = await registry({
      "/executors": { json: [executor("CODEX", { session_count: 1, last_active: lastActive })] },
    });

    const { body } = await chatList([server]);

    expect(itemById(body, "CODEX")?.last_active).toBe("2026-03-09T23:46:40.000Z");
  });
});

describe("executor registry: the sessions fallback", () => {
  const withoutActivity = (type: string) => {
    const { session_count: _count, last_active: _active, ...rest } = executor(type);
    return rest;
  };

  it("counts sessions from GET /executors/{type}/sessions for the workspace when the registry omits them", async () => {
    const server = await registry({
      "/executors": { json: { executors: [withoutActivity("CLAUDE_CODE")] } },
      "/executors/CLAUDE_CODE/sessions": {
        json: {
          sessions: [
            { id: "s1", workspace_path: WORKSPACE, created_at: "2026-01-01T00:00:00Z" },
            { id: "s2", workspace_path: WORKSPACE, created_at: "2026-01-02T00:00:00Z" },
            { id: "s3", workspace_path: WORKSPACE, created_at: "2026-01-03T00:00:00Z" },
          ],
        },
      },
    });

    const { body } = await chatList([server]);

    expect(itemById(body, "CLAUDE_CODE")?.session_count).toBe(3);
    expect(server.callsTo("/executors/CLAUDE_CODE/sessions").map((call) => call.query)).toEqual([
      { workspace_path: WORKSPACE },
    ]);
  });

  it("dates the executor by the newest session's updated_at, last_active or created_at", async () => {
    const server = await registry({
      "/executors": { json: [withoutActivity("CODEX")] },
      "/executors/CODEX/sessions": {
        json: {
          sessions: [
            {
              id: "s1",
              workspace_path: WORKSPACE,
              created_at: "2026-01-01T00:00:00Z",
              updated_at: "2026-01-20T00:00:00Z",
            },
            {
              id: "s2",
              workspace_path: WORKSPACE,
              created_at: "2026-01-02T00:00:00Z",
              last_active: "2026-01-25T00:00:00Z",
            },
            { id: "s3", workspace_path: WORKSPACE, created_at: "2026-01-10T00:00:00Z" },
          ],
        },
      },
    });

    const { body } = await chatList([server]);

    expect(itemById(body, "CODEX")).toMatchObject({
      session_count: 3,
      last_active: "2026-01-25T00:00:00.000Z",
    });
  });

  it("reads camelCase session fields updatedAt, lastActive and createdAt", async () => {
    const server = await registry({
      "/executors": { json: [withoutActivity("AMP")] },
      "/executors/AMP/sessions": {
        json: {
          sessions: [
            { id: "s1", workspacePath: WORKSPACE, updatedAt: "2026-02-03T00:00:00Z" },
            { id: "s2", workspacePath: WORKSPACE, lastActive: "2026-02-01T00:00:00Z" },
            { id: "s3", workspacePath: WORKSPACE, createdAt: "2026-02-02T00:00:00Z" },
          ],
        },
      },
    });

    const { body } = await chatList([server]);

    expect(itemById(body, "AMP")).toMatchObject({
      session_count: 3,
      last_active: "2026-02-03T00:00:00.000Z",
    });
  });
});

describe("executor registry: one executor from two registries", () => {
  it("merges it into one item: either's availability and MCP, summed sessions, newest activity, the first registry's name", async () => {
    // The first registry answers last, so config order (not arrival order) must decide.
    const first = await registry({
      "/executors": {
        delayMs: 100,
        json: [
          executor("CLAUDE_CODE", {
            name: "Claude Code",
            description: "from alpha",
            is_available: false,
            supports_mcp: false,
            session_count: 2,
            last_active: "2026-03-01T00:00:00Z",
          }),
        ],
      },
    });
    const second = await registry({
      "/executors": {
        json: [
          executor("claude-code", {
            name: "Claude (beta)",
            description: "from beta",
            is_available: true,
            supports_mcp: true,
            session_count: 3,
            last_active: "2026-03-05T00:00:00Z",
          }),
        ],
      },
    });

    const { body } = await chatList([first, second]);

    expect(body.items).toEqual([
      {
        id: "CLAUDE_CODE",
        type: "executor",
        item_type: "executor",
        icon_type: "CLAUDE_CODE",
        name: "Claude Code",
        description: "from alpha",
        last_active: "2026-03-05T00:00:00.000Z",
        source: "global",
        source_name: "alpha",
        is_available: true,
        supports_mcp: true,
        session_count: 5,
      },
    ]);
    expect(body.counts.executors).toBe(1);
  });

  it("keeps the first registry's activity when it is the newer one", async () => {
    const first = await registry({
      "/executors": {
        json: [executor("CODEX", { session_count: 1, last_active: "2026-03-09T00:00:00Z" })],
      },
    });
    const second = await registry({
      "/executors": {
        json: [executor("CODEX", { session_count: 1, last_active: "2026-03-02T00:00:00Z" })],
      },
    });

    const { body } = await chatList([first, second]);

    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      id: "CODEX",
      last_active: "2026-03-09T00:00:00.000Z",
      session_count: 2,
      source: "global",
      source_name: "alpha",
    });
  });
});

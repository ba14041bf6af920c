import { describe, expect, it } from "vitest";
import type { FakeUpstream, Route } from "../support/fake-upstream.js";
import { useResources } from "../support/resources.js";

// DESIGN.md §2, `agent_store`: the whole gateway against a real loopback agent store.

const resources = useResources();

const WORKSPACE = "/home/ana/proj";
const OTHER_WORKSPACE = "/home/bob/elsewhere";

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

/** A global agent that needs no sessions call (it reports its own count and activity). */
function agent(id: unknown, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Agent ${String(id)}`,
    description: null,
    model: "claude-sonnet-4",
    provider: "anthropic",
    is_global: true,
    workspace_path: null,
    session_count: 0,
    last_active: null,
    ...fields,
  };
}

/** A workspace agent of `workspace`. */
const workspaceAgent = (id: string, workspace: string, fields: Record<string, unknown> = {}) =>
  agent(id, { is_global: false, workspace_path: workspace, ...fields });

/** An agent without session_count and last_active, so the gateway asks for its sessions. */
function agentWithoutActivity(id: string, fields: Record<string, unknown> = {}) {
  const { session_count: _count, last_active: _active, ...rest } = agent(id, fields);
  return rest;
}

async function store(routes: Record<string, Route>): Promise<FakeUpstream> {
  const server = await resources.upstream(routes);
  return server;
}

/** GET the chat list from a gateway whose only source is the given agent store. */
async function chatList(
  server: FakeUpstream,
  path = `/api/chat-list?workspace_path=${WORKSPACE}`,
): Promise<{ status: number; body: ListBody }> {
  const gateway = await resources.gateway({
    sources: [{ kind: "agent_store", name: "agents", baseUrl: server.url, timeoutMs: 1500 }],
  });
  const response = await gateway.get(path);
  return { status: response.status, body: (await response.json()) as ListBody };
}

const itemById = (body: ListBody, id: string) => body.items.find((item) => item.id === id);

describe("agent store: fields", () => {
  it("strips the legacy viben: prefix from ids", async () => {
    const server = await store({ "/agents": { json: { agents: [agent("viben:reviewer")] } } });

    const { status, body } = await chatList(server);

    expect(status).toBe(200);
    expect(body.items.map((item) => item.id)).toEqual(["reviewer"]);
  });

  it("reads provider_id when provider is missing", async () => {
    const { provider: _omitted, ...rest } = agent("reviewer");
    const server = await store({ "/agents": { json: [{ ...rest, provider_id: "openai" }] } });

    const { body } = await chatList(server);

    expect(itemById(body, "reviewer")?.provider).toBe("openai");
  });

  it.each([
    ["is missing", {}],
    ["is null", { name: null }],
    ["is empty", { name: "" }],
  ])("falls back to the id (without its legacy prefix) when name %s", async (_case, name) => {
    const { name: _omitted, ...rest } = agent("viben:helper");
    const server = await store({ "/agents": { json: [{ ...rest, ...name }] } });

    const { body } = await chatList(server);

    expect(itemById(body, "helper")?.name).toBe("helper");
  });

  it("maps an agent to every field of an agent item", async () => {
    const server = await store({
      "/agents": {
        json: [
          agent("reviewer", {
            name: "Reviewer",
            description: "Reviews pull requests.",
            session_count: 4,
            last_active: "2026-03-10T12:00:00Z",
          }),
        ],
      },
    });

    const { body } = await chatList(server);

    expect(body.items).toEqual([
      {
        id: "reviewer",
        type: "agent",
        item_type: "agent",
        name: "Reviewer",
        description: "Reviews pull requests.",
        last_active: "2026-03-10T12:00:00.000Z",
        source: "global",
        source_name: "agents",
        model: "claude-sonnet-4",
        provider: "anthropic",
        session_count: 4,
        workspace_path: null,
        is_global: true,
      },
    ]);
    expect(server.callsTo("/agents/reviewer/sessions")).toHaveLength(0);
  });
});

describe("agent store: global and workspace agents", () => {
  it.each([
    ["is_global: true", { is_global: true }, true],
    ["is_global: false", { is_global: false }, false],
    ["source: global", { source: "global" }, true],
    ["source: workspace", { source: "workspace" }, false],
  ])("understands %s on an agent that names no workspace_path", async (_case, flag, global) => {
    const { is_global: _isGlobal, workspace_path: _workspacePath, ...rest } = agent("reviewer");
    const server = await store({ "/agents": { json: [{ ...rest, ...flag }] } });

    const { body } = await chatList(server);

    expect(itemById(body, "reviewer")).toMatchObject({
      is_global: global,
      source: global ? "global" : "workspace",
      source_name: "agents",
      workspace_path: global ? null : WORKSPACE,
    });
  });

  it.each([
    [
      "global first",
      [
        agent("reviewer", { name: "Global reviewer" }),
        workspaceAgent("reviewer", WORKSPACE, { name: "Project reviewer" }),
      ],
    ],
    [
      "workspace first",
      [
        workspaceAgent("reviewer", WORKSPACE, { name: "Project reviewer" }),
        agent("reviewer", { name: "Global reviewer" }),
      ],
    ],
    [
      "global under the legacy prefix",
      [
        agent("viben:reviewer", { name: "Global reviewer" }),
        workspaceAgent("reviewer", WORKSPACE, { name: "Project reviewer" }),
      ],
    ],
  ])(
    "lets a workspace agent shadow a global agent with the same id (%s)",
    async (_case, agents) => {
      const server = await store({ "/agents": { json: { agents } } });

      const { body } = await chatList(server);

      expect(body.items).toHaveLength(1);
      expect(body.items[0]).toMatchObject({
        id: "reviewer",
        name: "Project reviewer",
        is_global: false,
        workspace_path: WORKSPACE,
      });
      expect(body.counts.agents).toBe(1);
    },
  );

  it("drops a workspace agent of another workspace", async () => {
    const server = await store({
      "/agents": {
        json: [
          workspaceAgent("mine", WORKSPACE),
          workspaceAgent("theirs", OTHER_WORKSPACE),
          workspaceAgent("theirs-too", OTHER_WORKSPACE, {
            is_global: undefined,
            source: "workspace",
          }),
        ],
      },
    });

    const { body } = await chatList(server);

    expect(body.items.map((item) => item.id)).toEqual(["mine"]);
    expect(body.sources[0]).toMatchObject({ status: "ok", item_count: 1 });
  });

  it("sends include_global=false upstream when the caller asks for it", async () => {
    const server = await store({ "/agents": { json: [workspaceAgent("mine", WORKSPACE)] } });

    await chatList(server, `/api/chat-list?workspace_path=${WORKSPACE}&include_global=false`);

    expect(server.callsTo("/agents").map((call) => call.query)).toEqual([
      { workspace_path: WORKSPACE, include_global: "false" },
    ]);
  });

  it("drops global agents on include_global=false even when the store returns them", async () => {
    const server = await store({
      "/agents": {
        json: [
          agent("global-one"),
          agent("global-two", { is_global: undefined, source: "global" }),
          workspaceAgent("mine", WORKSPACE),
        ],
      },
    });

    const { status, body } = await chatList(
      server,
      `/api/chat-list?workspace_path=${WORKSPACE}&include_global=false`,
    );

    expect(status).toBe(200);
    expect(body.items.map((item) => item.id)).toEqual(["mine"]);
    expect(body.counts.agents).toBe(1);
  });
});

describe("agent store: the sessions fallback", () => {
  it("counts sessions from GET /agents/{id}/sessions for the workspace when the store omits them", async () => {
    const server = await store({
      "/agents": { json: { agents: [agentWithoutActivity("reviewer")] } },
      "/agents/reviewer/sessions": {
        json: {
          sessions: [
            { id: "s1", created_at: "2026-01-01T00:00:00Z" },
            { id: "s2", created_at: "2026-01-02T00:00:00Z" },
          ],
        },
      },
    });

    const { body } = await chatList(server);

    expect(itemById(body, "reviewer")?.session_count).toBe(2);
    expect(server.callsTo("/agents/reviewer/sessions").map((call) => call.query)).toEqual([
      { workspace_path: WORKSPACE },
    ]);
  });

  it("dates each session by last_message_at, else updated_at, else created_at, and takes the newest", async () => {
    const server = await store({
      "/agents": { json: [agentWithoutActivity("reviewer")] },
      "/agents/reviewer/sessions": {
        json: {
          sessions: [
            {
              // last_message_at counts, not the later updated_at (a rename, say).
              id: "s1",
              created_at: "2026-01-01T00:00:00Z",
              updated_at: "2026-02-01T00:00:00Z",
              last_message_at: "2026-01-05T00:00:00Z",
            },
            { id: "s2", created_at: "2026-01-02T00:00:00Z", updated_at: "2026-01-10T00:00:00Z" },
            { id: "s3", created_at: "2026-01-03T00:00:00Z" },
          ],
        },
      },
    });

    const { body } = await chatList(server);

    expect(itemById(body, "reviewer")).toMatchObject({
      session_count: 3,
      last_active: "2026-01-10T00:00:00.000Z",
    });
  });

  it("falls back to created_at when a session has neither last_message_at nor updated_at", async () => {
    const server = await store({
      "/agents": { json: [agentWithoutActivity("reviewer")] },
      "/agents/reviewer/sessions": {
        json: {
          sessions: [
            {
              id: "s1",
              created_at: "2026-01-01T00:00:00Z",
              last_message_at: "2026-01-04T00:00:00Z",
            },
            { id: "s2", created_at: "2026-01-08T00:00:00Z" },
          ],
        },
      },
    });

    const { body } = await chatList(server);

    expect(itemById(body, "reviewer")?.last_active).toBe("2026-01-08T00:00:00.000Z");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createPooledFetch } from "../../src/runtime/node/undici-fetch.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { buildFixtureHome } from "../local/fixture-home.js";
import { buildGroupChatHome } from "../local/group-chat-home.js";
import { startFakePortal } from "../support/fake-portal.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

// DESIGN §1, ChatListItem: `source` is Viben's "global" | "workspace" (what its desktop badges),
// `source_name` the configured source. One list from every kind that builds items, global and
// workspace ones side by side.

type Item = Record<string, unknown> & {
  id: string;
  type: string;
  source: unknown;
  source_name: unknown;
  is_global?: boolean;
};
type Body = { items: Item[]; sources: { name: string; kind: string; status: string }[] };

const pool = createPooledFetch(8);
const upstreams: FakeUpstream[] = [];
let workspace: string;
let body: Body;

const executor = (type: string, fields: Record<string, unknown>) => ({
  type,
  name: type,
  is_available: false,
  supports_mcp: false,
  session_count: 1,
  last_active: "2026-03-01T00:00:00Z",
  ...fields,
});
const counted = { session_count: 1, last_active: "2026-03-01T00:00:00Z" };

beforeAll(async () => {
  const { home, alpha } = buildFixtureHome();
  buildGroupChatHome(home);
  workspace = alpha;
  const serve = async (routes: Parameters<typeof startFakeUpstream>[0]) => {
    const server = await startFakeUpstream(routes);
    upstreams.push(server);
    return server;
  };
  const portal = (await startFakePortal(serve)).server;
  const chats = await serve({
    "/group-chats": {
      json: [
        { id: "store-global", name: "Store global", is_global: true, member_count: 2, ...counted },
        {
          id: "store-workspace",
          name: "Store workspace",
          is_global: false,
          workspace_path: alpha,
          member_count: 2,
          ...counted,
        },
      ],
    },
  });
  // The first registry in config order answers last: config order, not arrival, decides.
  const first = await serve({
    "/executors": {
      delayMs: 150,
      json: [executor("CLAUDE_CODE", { name: "Claude Code (a)", description: "from a" })],
    },
  });
  const second = await serve({
    "/executors": {
      json: [
        executor("CLAUDE_CODE", {
          name: "Claude Code (b)",
          description: "from b",
          is_available: true,
        }),
        executor("AMP", { name: "Amp" }),
      ],
    },
  });
  const agents = await serve({
    "/agents": {
      json: [
        { id: "flagged-global", is_global: true, ...counted },
        { id: "said-global", source: "global", ...counted },
        { id: "said-workspace", source: "workspace", workspace_path: alpha, ...counted },
        { id: "twin", is_global: true, ...counted },
        { id: "twin", source: "WORKSPACE", ...counted },
      ],
    },
  });
  const app = createApp({
    config: parseConfig({
      sources: [
        { kind: "portal", name: "portal", baseUrl: portal.url },
        { kind: "group_chat_store", name: "viben-chats", baseUrl: chats.url },
        { kind: "executor_registry", name: "registry-a", baseUrl: first.url },
        { kind: "executor_registry", name: "registry-b", baseUrl: second.url },
        { kind: "agent_store", name: "agent-store", baseUrl: agents.url },
        { kind: "local_executors", name: "local-executors", home: home.root, searchPath: [] },
        { kind: "local_agents", name: "local-agents", home: home.root },
        { kind: "local_group_chats", name: "local-chats", home: home.root },
      ],
    }),
    fetch: pool.fetch,
    local: createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }),
  });
  const response = await app.request(`/api/chat-list?workspace_path=${alpha}`, {
    headers: { cookie: "psession=ana-desktop" },
  });
  expect(response.status).toBe(200);
  body = (await response.json()) as Body;
});

afterAll(async () => {
  await Promise.all(upstreams.map((server) => server.close()));
  await pool.close();
});

const item = (id: string) => {
  const found = body.items.filter((entry) => entry.id === id);
  expect(found).toHaveLength(1);
  return found[0] as Item;
};

describe("an item's source and source_name", () => {
  it("lists global and workspace items of every type from every source", () => {
    expect(body.sources.every((source) => source.status === "ok")).toBe(true);
    const kinds = new Set(body.items.map((entry) => `${entry.type} ${entry.source}`));
    expect([...kinds].sort()).toEqual([
      "agent global",
      "agent workspace",
      "executor global",
      "group_chat global",
      "group_chat workspace",
    ]);
  });

  it("says global exactly when the item is global, and global for every executor", () => {
    for (const entry of body.items) {
      const expected =
        entry.type === "executor" ? "global" : entry.is_global ? "global" : "workspace";
      expect({ id: entry.id, source: entry.source }).toEqual({ id: entry.id, source: expected });
      if (entry.type === "executor") expect(entry).not.toHaveProperty("is_global");
      else expect(typeof entry.is_global).toBe("boolean");
    }
  });

  it("names the configured source each item came from in source_name", () => {
    const configured = new Set(body.sources.map((source) => source.name));
    for (const entry of body.items) expect(configured).toContain(entry.source_name);
    expect(item("gc-10")).toMatchObject({ source: "global", source_name: "portal" });
    expect(item("gc-store-global")).toMatchObject({ source: "global", source_name: "viben-chats" });
    expect(item("gc-store-workspace")).toMatchObject({
      source: "workspace",
      source_name: "viben-chats",
      workspace_path: workspace,
    });
    expect(item("AMP")).toMatchObject({ source: "global", source_name: "registry-b" });
    expect(item("GEMINI")).toMatchObject({ source: "global", source_name: "local-executors" });
    expect(item("reviewer")).toMatchObject({
      source: "global",
      source_name: "local-agents",
      is_global: true,
    });
    expect(item("gc-design")).toMatchObject({ source: "global", source_name: "local-chats" });
    expect(item("gc-quiet")).toMatchObject({ source: "workspace", source_name: "local-chats" });
  });

  it("maps an agent store's own source: global|workspace to is_global and source", () => {
    expect(item("flagged-global")).toMatchObject({ is_global: true, source: "global" });
    expect(item("said-global")).toMatchObject({ is_global: true, source: "global" });
    expect(item("said-workspace")).toMatchObject({ is_global: false, source: "workspace" });
    for (const id of ["flagged-global", "said-global", "said-workspace"])
      expect(item(id).source_name).toBe("agent-store");
  });

  it("lets a workspace agent shadow the global one with its own source", () => {
    expect(item("twin")).toMatchObject({
      is_global: false,
      source: "workspace",
      source_name: "agent-store",
      workspace_path: workspace,
    });
    expect(item("planner")).toMatchObject({
      is_global: false,
      source: "workspace",
      source_name: "local-agents",
      name: "Alpha Planner",
    });
  });

  it("keeps the first source's name, description and source_name for an executor reported thrice", () => {
    expect(item("CLAUDE_CODE")).toMatchObject({
      source: "global",
      source_name: "registry-a",
      name: "Claude Code (a)",
      description: "from a",
      is_available: true,
    });
  });
});

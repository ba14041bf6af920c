import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { tempTree } from "../support/home-fixture.js";
import { executorsReply, useResources } from "../support/resources.js";

// Issue 15, finding 6: what the gateway makes of odd but plausible input.

const { upstream, gateway } = useResources();

type Item = { id: string; type: string; is_global: boolean; workspace_path: string | null };
type Body = { items: Item[]; sources: { name: string; status: string }[]; code?: string };

describe("include_global", () => {
  it.each(["FALSE", "False", "0"])("reads %s as false", async (value) => {
    const portal = await upstream({ "/v1/portal/chats": { json: [] } });
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const gw = await gateway({
      sources: [
        { kind: "portal", name: "portal", baseUrl: portal.url },
        { kind: "executor_registry", name: "executors", baseUrl: registry.url },
      ],
    });
    const response = await gw.get(`/api/chat-list?include_global=${value}`, { psession: "u" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Body;
    expect(body.sources.find((source) => source.name === "portal")?.status).toBe("skipped");
  });

  it.each(["TRUE", "True"])("reads %s as true", async (value) => {
    const gw = await gateway({ sources: [] });
    expect((await gw.get(`/api/chat-list?include_global=${value}`)).status).toBe(200);
  });
});

describe("a workspace that is the home directory", () => {
  /** A home with one global Viben agent and one global Viben group chat. */
  function homeWithGlobals() {
    const home = tempTree();
    home.write(".viben/agents/scout/config.yaml", "name: Scout\n");
    home.write(".viben/group-chats/standup/config.yaml", JSON.stringify({ name: "Standup" }));
    const app = createApp({
      config: parseConfig({
        sources: [
          { kind: "local_group_chats", name: "chats", home: home.root },
          { kind: "local_agents", name: "agents", home: home.root },
        ],
      }),
      fetch: () => Promise.reject(new Error("no upstream")),
      local: createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }),
    });
    const list = async (query: string) =>
      (await (await app.request(`/api/chat-list?${query}`)).json()) as Body;
    return { home: home.root, list };
  }

  it("keeps global agents and chats global", async () => {
    const { home, list } = homeWithGlobals();
    const body = await list(`workspace_path=${encodeURIComponent(home)}`);
    expect(
      body.items.map(({ id, is_global, workspace_path }) => ({ id, is_global, workspace_path })),
    ).toEqual([
      { id: "gc-standup", is_global: true, workspace_path: null },
      { id: "scout", is_global: true, workspace_path: null },
    ]);
  });

  it("shows none of them with include_global=false", async () => {
    const { home, list } = homeWithGlobals();
    const body = await list(`workspace_path=${encodeURIComponent(home)}&include_global=false`);
    expect(body.items).toEqual([]);
  });
});

describe("X-Request-Id", () => {
  const idOf = async (sent: string | undefined) => {
    const gw = await gateway({ sources: [] });
    const response = await gw.get("/healthz", {
      headers: sent === undefined ? {} : { "x-request-id": sent },
    });
    const logged = gw.logs.find((line) => line.event === "request")?.request_id;
    expect(logged).toBe(response.headers.get("x-request-id"));
    return response.headers.get("x-request-id");
  };

  it("keeps a client's short id of safe characters", async () => {
    expect(await idOf("sidebar-7f3a_01")).toBe("sidebar-7f3a_01");
  });

  it.each([
    ["a long one", "a".repeat(100)],
    ["one with unsafe characters", 'x" injected="1'],
  ])("replaces %s with a generated id", async (_case, sent) => {
    expect(await idOf(sent)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("generates one when none is sent", async () => {
    expect(await idOf(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("percent-encoded workspace paths", () => {
  it("keeps /%25ff (the path /%ff) and /%ff (not UTF-8) apart: the second is a 400", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const gw = await gateway({
      sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
    });
    const encoded = await gw.get("/api/chat-list?workspace_path=/%25ff");
    expect(encoded.status).toBe(200);
    expect(registry.callsTo("/executors")[0]?.query.workspace_path).toBe("/%ff");
    const undecodable = await gw.get("/api/chat-list?workspace_path=/%ff");
    expect(undecodable.status).toBe(400);
    const problem = (await undecodable.json()) as Body & { errors: { parameter: string }[] };
    expect(problem.code).toBe("invalid_query");
    expect(problem.errors.map((error) => error.parameter)).toEqual(["workspace_path"]);
  });

  it("decodes a path once: /%2525ff is the path /%25ff", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const gw = await gateway({
      sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
    });
    const body = (await (await gw.get("/api/chat-list?workspace_path=/%2525ff")).json()) as {
      workspace_path: string;
    };
    expect(body.workspace_path).toBe("/%25ff");
  });
});

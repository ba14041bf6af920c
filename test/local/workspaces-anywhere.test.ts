import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { tempTree } from "../support/home-fixture.js";
import { useNodeEntry } from "../support/node-entry.js";

const startEntry = useNodeEntry();

type Body = {
  items: { id: string; workspace_path: string | null }[];
  sources: { name: string; status: string; note: string | null }[];
};

/** A home with nothing in it, and a workspace elsewhere (another temp tree) with one agent. */
function homeAndWorkspace() {
  const home = tempTree();
  const workspace = tempTree("chat-list-workspace-");
  workspace.write(".viben/agents/scout/config.yaml", "name: Scout\nmodel: m\n");
  return { home: home.root, workspace: workspace.root };
}

const list = async (url: string, workspace: string) =>
  (await (await fetch(`${url}?workspace_path=${encodeURIComponent(workspace)}`)).json()) as Body;

describe("workspaces outside the home directory (the Node entry)", () => {
  it("lists a workspace's Viben agents with no config at all", async () => {
    const { home, workspace } = homeAndWorkspace();
    const run = startEntry({
      HOME: home,
      PATH: dirname(process.execPath),
      CHAT_LIST_CONFIG: "",
      CHAT_LIST_CONFIG_JSON: "",
    });
    const body = await list(await run.listening, workspace);
    expect(body.items.filter((item) => item.id === "scout")).toEqual([
      expect.objectContaining({ workspace_path: workspace }),
    ]);
    expect(body.sources.find((source) => source.name === "local-agents")?.note).toBeNull();
  });

  it("does not with workspaceRoots set, and the source's note says why", async () => {
    const { home, workspace } = homeAndWorkspace();
    const config = {
      sources: [{ kind: "local_agents", name: "local-agents", home, workspaceRoots: [home] }],
    };
    const run = startEntry({ HOME: home, CHAT_LIST_CONFIG_JSON: JSON.stringify(config) });
    const body = await list(await run.listening, workspace);
    expect(body.items).toEqual([]);
    expect(body.sources).toEqual([
      expect.objectContaining({
        name: "local-agents",
        status: "ok",
        note: "workspace outside workspaceRoots: its agents were not read",
      }),
    ]);
  });
});

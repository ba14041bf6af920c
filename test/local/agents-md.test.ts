import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/core/clock.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { describePrompt, parseAgentsMd } from "../../src/sources/local/agent-definition.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { parseYamlHere } from "../../src/sources/local/yaml-text.js";
import { tempTree } from "../support/home-fixture.js";
import { agentsMd, buildMixedVibenHome } from "./viben-agents-home.js";

type Agent = {
  id: string;
  type: string;
  name: string;
  description: string | null;
  model: string | null;
  provider: string | null;
  session_count: number | null;
  last_active: string | null;
  is_global: boolean;
  workspace_path: string | null;
};
type Body = { items: Agent[]; sources: { name: string; status: string }[] };

const agentsConfig = (home: string) => ({
  sources: [{ kind: "local_agents", name: "local-agents", home }],
  // Every request reads the disk, so a test can change a file between two.
  cache: { ttlMs: 0, staleIfErrorMs: 0 },
});

/** The app with only the local_agents source over `home`, and the warnings it logs. */
function agentsApp(home: string) {
  const warnings: Record<string, unknown>[] = [];
  const app = createApp({
    config: parseConfig(agentsConfig(home)),
    fetch: () => Promise.reject(new Error("no upstream")),
    logger: { info() {}, warn: (event) => warnings.push(event), error() {} },
    local: createLocalSourceFactory({ fs: nodeFs, home, pathDirs: [] }),
  });
  const list = async (workspace?: string) => {
    const query = workspace === undefined ? "" : `?workspace_path=${encodeURIComponent(workspace)}`;
    return (await (await app.request(`/api/chat-list${query}`)).json()) as Body;
  };
  return { list, warnings };
}

const ids = (body: Body) => body.items.map((item) => item.id).sort();
const byId = (body: Body, id: string) => body.items.find((item) => item.id === id);

describe("Viben agents defined in AGENTS.md", () => {
  it("list an AGENTS.md agent with its front matter's name, description, model and provider", async () => {
    const { home } = buildMixedVibenHome();
    const body = await agentsApp(home.root).list();
    expect(byId(body, "translator")).toMatchObject({
      type: "agent",
      name: "Translator",
      description: "Translates UI strings",
      model: "gpt-5",
      provider: "openai",
      session_count: 0,
      last_active: null,
      is_global: true,
      workspace_path: null,
    });
  });

  it("list all four agents of a home with both layouts, where config.yaml alone found two", async () => {
    const { home, workspace } = buildMixedVibenHome();
    const body = await agentsApp(home.root).list(workspace);
    expect(ids(body)).toEqual(["planner", "reviewer", "translator", "writer"]);
    expect(byId(body, "writer")).toMatchObject({ is_global: false, workspace_path: workspace });
    expect(byId(body, "planner")).toMatchObject({ name: "Planner", provider: "openai" });
    expect(body.sources).toEqual([expect.objectContaining({ status: "ok" })]);
  });

  it("prefer AGENTS.md to config.yaml in one agent folder", async () => {
    const home = tempTree();
    home.write(".viben/agents/helper/config.yaml", "name: Old Helper\nmodel: old-model\n");
    home.write(
      ".viben/agents/helper/AGENTS.md",
      agentsMd({ name: "Helper", model: "new-model", provider_id: "anthropic" }, "Help."),
    );
    const body = await agentsApp(home.root).list();
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "helper",
        name: "Helper",
        model: "new-model",
        provider: "anthropic",
      }),
    ]);
  });

  it("describe an agent by the first 100 characters of its prompt, whitespace made one space, when its front matter has none", async () => {
    const { home, workspace } = buildMixedVibenHome();
    const body = await agentsApp(home.root).list(workspace);
    expect(byId(body, "writer")?.description).toBe(
      "# Writer You write release notes for this repository, one short paragraph per change, in plain Engli",
    );
    expect(byId(body, "writer")?.description).toHaveLength(100);
  });

  it("take a whole AGENTS.md without front matter as the prompt, and name the agent after its folder", async () => {
    const home = tempTree();
    home.write(".viben/agents/bare/AGENTS.md", "You answer in haiku.\n");
    const body = await agentsApp(home.root).list();
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "bare",
        name: "bare",
        description: "You answer in haiku.",
        model: null,
        provider: null,
      }),
    ]);
  });

  it("read an AGENTS.md with a byte order mark and CRLF line endings", async () => {
    const home = tempTree();
    const file = agentsMd({ name: "Windows", model: "m1" }, "Line one.\nLine two.");
    home.write(".viben/agents/win/AGENTS.md", `\uFEFF${file.replace(/\n/g, "\r\n")}`);
    const body = await agentsApp(home.root).list();
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "win",
        name: "Windows",
        model: "m1",
        description: "Line one. Line two.",
      }),
    ]);
  });

  it("list a workspace agent folder with neither file under its folder name, and not a global one", async () => {
    const home = tempTree();
    const workspace = home.dir("code/app");
    home.dir("code/app/.viben/agents/drafted");
    home.write(
      ".viben/agents/leftover/.agent_sessions/s1/config.yaml",
      "created_at: 2026-01-01T00:00:00Z\n",
    );
    const body = await agentsApp(home.root).list(workspace);
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "drafted",
        name: "drafted",
        description: null,
        model: null,
        session_count: 0,
        is_global: false,
        workspace_path: workspace,
      }),
    ]);
  });

  it("drop an agent whose front matter is not YAML, not a mapping or never closed, log it, and keep the others", async () => {
    const { home } = buildMixedVibenHome();
    home.write(
      ".viben/agents/unparsable/AGENTS.md",
      "---\nname: [unclosed\n  model: : :\n---\nHi\n",
    );
    home.write(".viben/agents/listed/AGENTS.md", "---\n- name\n- model\n---\nHi\n");
    home.write(".viben/agents/unclosed/AGENTS.md", "---\nname: Never closed\n\nHi\n");
    const { list, warnings } = agentsApp(home.root);
    const body = await list();
    expect(ids(body)).toEqual(["reviewer", "translator"]);
    expect(body.sources).toEqual([expect.objectContaining({ status: "ok" })]);
    const logged = warnings.filter((event) => event.event === "local_agent_config_invalid");
    expect(logged.map((event) => String(event.path)).sort()).toEqual(
      ["listed", "unclosed", "unparsable"].map((id) => home.path(`.viben/agents/${id}/AGENTS.md`)),
    );
  });

  it("drop an agent whose AGENTS.md is broken even when its config.yaml is not", async () => {
    const home = tempTree();
    home.write(".viben/agents/helper/config.yaml", "name: Old Helper\n");
    home.write(".viben/agents/helper/AGENTS.md", "---\n[broken\n---\nHelp.\n");
    const body = await agentsApp(home.root).list();
    expect(body.items).toEqual([]);
  });

  it("count an AGENTS.md agent's sessions and date it by the newest, as a config.yaml agent's", async () => {
    const { home, workspace } = buildMixedVibenHome();
    const sessions = "code/app/.viben/agents/writer/.agent_sessions";
    home.write(`${sessions}/w1/config.yaml`, "last_message_at: 2026-05-01T08:00:00Z\n");
    home.write(`${sessions}/w2/config.yaml`, "created_at: 2026-05-03T08:00:00Z\n");
    home.write(`${sessions}/w3/messages.jsonl`, "{}\n"); // no config.yaml: not a session
    const body = await agentsApp(home.root).list(workspace);
    expect(byId(body, "writer")).toMatchObject({
      session_count: 2,
      last_active: "2026-05-03T08:00:00.000Z",
    });
  });

  it("see an AGENTS.md rewritten in place on the next read", async () => {
    const { home } = buildMixedVibenHome();
    const { list } = agentsApp(home.root);
    expect(byId(await list(), "translator")?.name).toBe("Translator");
    home.write(
      ".viben/agents/translator/AGENTS.md",
      agentsMd({ name: "Localizer" }, "You localize."),
    );
    expect(byId(await list(), "translator")).toMatchObject({
      name: "Localizer",
      description: "You localize.",
    });
  });

  it("watch each agent's folder, so a new or rewritten AGENTS.md reaches live streams", async () => {
    const { home, workspace } = buildMixedVibenHome();
    const [config] = parseConfig(agentsConfig(home.root)).sources;
    if (config?.kind !== "local_agents") throw new Error("no local_agents source");
    const logger = { info() {}, warn() {}, error() {} };
    const source = createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }).create(
      config,
      { clock: systemClock, logger },
    );
    const dirs = await source.watchDirs?.({
      workspacePath: workspace,
      includeGlobal: true,
      types: ["agent"],
    });
    const globalAgents = home.path(".viben/agents");
    const workspaceAgents = home.path("code/app/.viben/agents");
    expect(dirs).toEqual(
      expect.arrayContaining([
        globalAgents,
        `${globalAgents}/translator`,
        `${globalAgents}/translator/.agent_sessions`,
        workspaceAgents,
        `${workspaceAgents}/writer`,
        `${workspaceAgents}/writer/.agent_sessions`,
      ]),
    );
  });
});

describe("AGENTS.md parsing", () => {
  it("takes an empty front matter as no fields, and a closing line at the end of the file", async () => {
    expect(await parseAgentsMd("---\n---\nPrompt.", parseYamlHere)).toEqual({
      fields: {},
      prompt: "Prompt.",
    });
    expect(await parseAgentsMd("---\nname: A\n---", parseYamlHere)).toEqual({
      fields: { name: "A" },
      prompt: "",
    });
  });

  it("cuts a description at 100 characters, never inside an emoji, and none for a blank prompt", () => {
    const prompt = `${"a".repeat(99)}🙂 and more`;
    expect(describePrompt(prompt)).toBe(`${"a".repeat(99)}🙂`);
    expect(describePrompt(" \n\t ")).toBeNull();
  });
});

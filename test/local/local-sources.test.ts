import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import type { LocalFs } from "../../src/sources/local/local-fs.js";
import { tempTree } from "../support/home-fixture.js";
import { buildFixtureHome } from "./fixture-home.js";

type Item = {
  id: string;
  type: string;
  session_count: number | null;
  last_active: string | null;
  name: string;
};
type Json = {
  items: Item[];
  sources: { name: string; status: string; note: string | null }[];
  counts: Record<string, number>;
};

const localConfig = (home: string) => ({
  sources: [
    { kind: "local_executors", name: "local-executors", home, searchPath: [] },
    { kind: "local_agents", name: "local-agents", home },
  ],
});

const restrictedConfig = (home: string, workspaceRoots: string[]) => ({
  sources: [
    { kind: "local_executors", name: "local-executors", home, searchPath: [] },
    { kind: "local_agents", name: "local-agents", home, workspaceRoots },
  ],
});

/** The app with local sources over a recording file system: every path touched is kept. */
function appFor(config: unknown, home: string) {
  const touched: string[] = [];
  const read: string[] = [];
  const record =
    <A extends unknown[], R>(method: (path: string, ...rest: A) => R, into: string[]) =>
    (path: string, ...rest: A): R => {
      into.push(path);
      return method(path, ...rest);
    };
  // Listing a directory or reading a file is a read; lstat and realpath only look at a path.
  const recording: LocalFs = {
    readDir: record(nodeFs.readDir, read),
    stat: record(nodeFs.stat, touched),
    realPath: record(nodeFs.realPath, touched),
    readHead: record(nodeFs.readHead, read),
    readRange: record(nodeFs.readRange, read),
  };
  const app = createApp({
    config: parseConfig(config),
    fetch: () => Promise.reject(new Error("no upstream")),
    local: createLocalSourceFactory({ fs: recording, home, pathDirs: [] }),
  });
  const get = async (path: string) => (await app.request(path)).json() as Promise<Json>;
  return { app, get, read };
}

const byId = (body: Json, id: string) => body.items.find((item) => item.id === id);

describe("local sources", () => {
  it("count each executor's sessions per workspace and date them by the newest session", async () => {
    const { home, alpha, beta } = buildFixtureHome();
    const { get } = appFor(localConfig(home.root), home.root);
    const inAlpha = await get(`/api/chat-list?workspace_path=${alpha}`);
    expect(byId(inAlpha, "CLAUDE_CODE")).toMatchObject({
      session_count: 2,
      last_active: "2026-03-05T10:00:00.000Z",
    });
    expect(byId(inAlpha, "CODEX")).toMatchObject({
      session_count: 1,
      last_active: "2026-03-02T11:00:00.000Z",
    });
    expect(byId(inAlpha, "GEMINI")).toMatchObject({ session_count: 0, last_active: null });

    const inBeta = await get(`/api/chat-list?workspace_path=${beta}`);
    expect(byId(inBeta, "CLAUDE_CODE")).toMatchObject({
      session_count: 1,
      last_active: "2026-02-01T10:00:00.000Z",
    });
    expect(byId(inBeta, "CODEX")).toMatchObject({
      session_count: 2,
      last_active: "2026-03-06T11:00:00.000Z",
    });
    expect(byId(inBeta, "GEMINI")).toMatchObject({
      session_count: 1,
      last_active: "2026-03-07T12:00:00.000Z",
    });
  });

  it("count every session when no workspace is given", async () => {
    const { home } = buildFixtureHome();
    const { get } = appFor(localConfig(home.root), home.root);
    const all = await get("/api/chat-list");
    expect(byId(all, "CLAUDE_CODE")?.session_count).toBe(3);
    expect(byId(all, "CODEX")?.session_count).toBe(3);
    expect(byId(all, "GEMINI")?.session_count).toBe(1);
  });

  it("list global agents, let a workspace agent shadow one, and drop a broken YAML file", async () => {
    const { home, alpha } = buildFixtureHome();
    const { get } = appFor(localConfig(home.root), home.root);
    const body = await get(`/api/chat-list?workspace_path=${alpha}`);
    const agents = body.items.filter((item) => item.type === "agent");
    expect(agents.map((agent) => agent.id).sort()).toEqual(["planner", "reviewer"]);
    expect(byId(body, "reviewer")).toMatchObject({
      name: "Reviewer",
      session_count: 1,
      last_active: "2026-01-03T00:00:00.000Z",
      is_global: true,
      model: "claude-sonnet",
      provider: "anthropic",
    });
    // The workspace planner shadows the global one: two sessions (p3 has no config.yaml); p2 has
    // no dates, so its message log's last write dates it.
    expect(byId(body, "planner")).toMatchObject({
      name: "Alpha Planner",
      is_global: false,
      workspace_path: alpha,
      session_count: 2,
      last_active: "2026-03-11T00:00:00.000Z",
    });
    expect(body.sources.map((source) => source.status)).toEqual(["ok", "ok"]);
  });

  it("answer 200 with no items for an empty home", async () => {
    const empty = tempTree();
    const { get } = appFor(localConfig(empty.root), empty.root);
    const body = await get("/api/chat-list?workspace_path=/somewhere");
    expect(body.items).toEqual([]);
    expect(body.sources.map((source) => source.status)).toEqual(["ok", "ok"]);
  });

  it("read a workspace outside home by default, and not with workspaceRoots, saying why", async () => {
    const { home } = buildFixtureHome();
    const elsewhere = tempTree("chat-list-workspace-");
    elsewhere.write(".viben/agents/scout/config.yaml", "name: Scout\n");
    const path = `/api/chat-list?workspace_path=${encodeURIComponent(elsewhere.root)}`;

    const open = await appFor(localConfig(home.root), home.root).get(path);
    expect(byId(open, "scout")).toMatchObject({ name: "Scout", workspace_path: elsewhere.root });
    expect(open.sources.find((source) => source.name === "local-agents")?.note).toBeNull();

    const restricted = restrictedConfig(home.root, [home.root]);
    const closed = await appFor(restricted, home.root).get(path);
    expect(byId(closed, "scout")).toBeUndefined();
    expect(closed.sources.find((source) => source.name === "local-agents")).toMatchObject({
      status: "ok",
      note: "workspace outside workspaceRoots: its agents were not read",
    });
  });

  it("never read outside workspaceRoots, whatever workspace_path says", async () => {
    const { home, outside, beta } = buildFixtureHome();
    const { get, read } = appFor(restrictedConfig(home.root, [home.root]), home.root);
    for (const workspace of [
      "/../../etc",
      "/etc",
      outside.root,
      beta,
      `${home.root}/../..`,
      `${beta}/.viben/agents/evil`,
    ])
      await get(`/api/chat-list?workspace_path=${encodeURIComponent(workspace)}`);
    const body = await get(`/api/chat-list?workspace_path=${beta}`);
    expect(body.items.map((item) => item.id)).not.toContain("evil");
    expect(read.length).toBeGreaterThan(0);
    const escaped = read
      .map((path) => realpathSync(path))
      .filter((path) => !path.startsWith(`${home.root}/`));
    expect(escaped).toEqual([]);
  });

  it("do not count a session file that a symlink points at outside the store", async () => {
    const { home, alpha } = buildFixtureHome();
    const { get } = appFor(localConfig(home.root), home.root);
    const body = await get(`/api/chat-list?workspace_path=${alpha}`);
    expect(byId(body, "CLAUDE_CODE")?.session_count).toBe(2);
    expect(body.items.map((item) => item.id)).not.toContain("evil");
  });

  it("do not re-list unchanged directories or re-read unchanged files on a warm scan", async () => {
    const { home, alpha } = buildFixtureHome();
    const logs: Record<string, unknown>[] = [];
    const logger = { info: (e: Record<string, unknown>) => logs.push(e), warn() {}, error() {} };
    const app = createApp({
      config: parseConfig({ ...localConfig(home.root), cache: { ttlMs: 0, staleIfErrorMs: 0 } }),
      fetch: () => Promise.reject(new Error("no upstream")),
      logger,
      local: createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }),
    });
    await app.request(`/api/chat-list?workspace_path=${alpha}`);
    await app.request(`/api/chat-list?workspace_path=${alpha}`);
    const costs = logs
      .filter((event) => event.event === "request")
      .map((event) =>
        (event.sources as { cost: Record<string, number> }[]).map((source) => source.cost),
      );
    expect(costs[0]?.[0]?.dirsListed).toBeGreaterThan(0);
    expect(costs[0]?.[0]?.filesRead).toBeGreaterThan(0);
    for (const cost of costs[1] ?? []) expect(cost).toMatchObject({ dirsListed: 0, filesRead: 0 });
    expect(costs[1]?.[0]?.dirsReused).toBeGreaterThan(0);
  });
});

import { utimesSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { codexFirstLine, geminiHash, tempTree } from "../support/home-fixture.js";

type Item = { id: string; session_count: number | null; last_active: string | null };

async function executors(
  home: string,
  workspace: string | null,
  extra: Record<string, unknown> = {},
) {
  const app = createApp({
    config: parseConfig({
      sources: [{ kind: "local_executors", name: "local", home, searchPath: [], ...extra }],
    }),
    fetch: () => Promise.reject(new Error("no upstream")),
    local: createLocalSourceFactory({ fs: nodeFs, home, pathDirs: [] }),
  });
  const query = workspace === null ? "" : `?workspace_path=${encodeURIComponent(workspace)}`;
  const body = (await (await app.request(`/api/chat-list${query}`)).json()) as { items: Item[] };
  return Object.fromEntries(
    body.items.map((item) => [item.id, [item.session_count, item.last_active]]),
  );
}

describe("executor session stores", () => {
  it("Claude Code: subagent transcripts are not sessions", async () => {
    const home = tempTree();
    home.write(".claude/projects/-w/s1.jsonl", "{}\n", "2026-05-01T00:00:00Z");
    home.write(".claude/projects/-w/agent-1a2b.jsonl", "{}\n", "2026-06-01T00:00:00Z");
    home.write(".claude/projects/-w/s1/subagents/agent-x.jsonl", "{}\n", "2026-06-01T00:00:00Z");
    expect((await executors(home.root, "/w")).CLAUDE_CODE).toEqual([1, "2026-05-01T00:00:00.000Z"]);
  });

  it("Codex: reads the cwd of current and older first lines, and rollouts directly in sessions/", async () => {
    const home = tempTree();
    home.write(
      ".codex/sessions/2026/05/01/rollout-a.jsonl",
      codexFirstLine("/w"),
      "2026-05-01T00:00:00Z",
    );
    home.write(
      ".codex/sessions/rollout-old.jsonl",
      `${JSON.stringify({ id: "o", cwd: "/w" })}\n`,
      "2025-04-01T00:00:00Z",
    );
    home.write(
      ".codex/sessions/2026/05/02/rollout-b.jsonl",
      codexFirstLine("/elsewhere"),
      "2026-05-02T00:00:00Z",
    );
    home.write(".codex/sessions/2026/05/03/rollout-c.jsonl", "not json\n", "2026-05-03T00:00:00Z");
    expect((await executors(home.root, "/w")).CODEX).toEqual([2, "2026-05-01T00:00:00.000Z"]);
    expect((await executors(home.root, null)).CODEX).toEqual([4, "2026-05-03T00:00:00.000Z"]);
  });

  it("Gemini CLI: the hashed and the registered project folders, a resumed .json counted once", async () => {
    const home = tempTree();
    home.write(
      `.gemini/tmp/${geminiHash("/w")}/chats/session-2026-01-01T10-00-aaaa.json`,
      "{}",
      "2026-01-01T10:00:00Z",
    );
    home.write(
      `.gemini/tmp/${geminiHash("/w")}/chats/session-2026-01-01T10-00-aaaa.jsonl`,
      "{}",
      "2026-01-02T10:00:00Z",
    );
    home.write(".gemini/projects.json", JSON.stringify({ projects: { "/w": "w" } }));
    home.write(
      ".gemini/tmp/w/chats/session-2026-03-01T10-00-bbbb.jsonl",
      "{}",
      "2026-03-01T10:00:00Z",
    );
    home.write(".gemini/tmp/w/chats/parent/subagent.jsonl", "{}", "2026-04-01T10:00:00Z");
    expect((await executors(home.root, "/w")).GEMINI).toEqual([2, "2026-03-01T10:00:00.000Z"]);
  });

  it("Qwen Code: chats of the dashed project folder, not runtime files", async () => {
    const home = tempTree();
    home.write(".qwen/projects/-w-p/chats/s1.jsonl", "{}\n", "2026-02-01T00:00:00Z");
    home.write(".qwen/projects/-w-p/chats/s1.runtime.json", "{}", "2026-09-01T00:00:00Z");
    expect((await executors(home.root, "/w/p")).QWEN_CODE).toEqual([1, "2026-02-01T00:00:00.000Z"]);
  });

  it("Copilot CLI: sessions whose workspace.yaml names the workspace; empty folders skipped", async () => {
    const home = tempTree();
    home.write(
      ".copilot/session-state/a/workspace.yaml",
      "id: a\ncwd: /w\nupdated_at: 2026-01-05T00:00:00Z\n",
    );
    home.write(".copilot/session-state/a/events.jsonl", "{}\n", "2026-01-06T00:00:00Z");
    home.write(".copilot/session-state/b/workspace.yaml", "id: b\ncwd: /other\n");
    home.dir(".copilot/session-state/empty");
    home.write(
      ".copilot/session-state/c/workspace.yaml",
      "id: c\ncwd: /w/\nupdated_at: 2026-01-07T00:00:00Z\n",
    );
    expect((await executors(home.root, "/w")).COPILOT).toEqual([2, "2026-01-07T00:00:00.000Z"]);
  });

  it("Droid: the dashed workspace folder, without settings files", async () => {
    const home = tempTree();
    home.write(".factory/sessions/-w/u1.jsonl", "{}\n", "2026-02-02T00:00:00Z");
    home.write(".factory/sessions/-w/u1.settings.json", "{}", "2026-09-02T00:00:00Z");
    expect((await executors(home.root, "/w")).DROID).toEqual([1, "2026-02-02T00:00:00.000Z"]);
  });

  it("lists a tool found only as a binary on the search path, with no session count when its store is not readable", async () => {
    const home = tempTree();
    const bin = tempTree("chat-list-bin-");
    bin.write("cursor-agent", "#!/bin/sh\n");
    expect(await executors(home.root, "/w", { searchPath: [bin.root] })).toEqual({
      CURSOR_AGENT: [null, null],
    });
  });

  it("does not list tools that are not installed", async () => {
    expect(await executors(tempTree().root, "/w")).toEqual({});
  });
});

describe("scan caching", () => {
  it("re-checks files appended in place once fileRefreshMs has passed", async () => {
    const home = tempTree();
    const session = home.write(".claude/projects/-w/s1.jsonl", "{}\n", "2026-05-01T00:00:00Z");
    let now = Date.UTC(2026, 10, 22);
    const app = createApp({
      config: parseConfig({
        sources: [
          {
            kind: "local_executors",
            name: "local",
            home: home.root,
            searchPath: [],
            fileRefreshMs: 30_000,
          },
        ],
        cache: { ttlMs: 0, staleIfErrorMs: 0 },
      }),
      fetch: () => Promise.reject(new Error("no upstream")),
      clock: { now: () => now },
      local: createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }),
    });
    const lastActive = async () =>
      ((await (await app.request("/api/chat-list?workspace_path=/w")).json()) as { items: Item[] })
        .items[0]?.last_active;
    expect(await lastActive()).toBe("2026-05-01T00:00:00.000Z");
    utimesSync(session, new Date("2026-05-02T00:00:00Z"), new Date("2026-05-02T00:00:00Z")); // an append
    now += 10_000;
    expect(await lastActive()).toBe("2026-05-01T00:00:00.000Z");
    now += 25_000;
    expect(await lastActive()).toBe("2026-05-02T00:00:00.000Z");
  });
});

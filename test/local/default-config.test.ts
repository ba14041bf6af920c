import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { tempTree } from "../support/home-fixture.js";
import { useNodeEntry } from "../support/node-entry.js";
import { buildFixtureHome } from "./fixture-home.js";

const startEntry = useNodeEntry();
// No config at all, as a desktop app starts it; PATH holds no coding-agent binary.
const env = (home: string) => ({
  HOME: home,
  PATH: dirname(process.execPath),
  CHAT_LIST_CONFIG: "",
  CHAT_LIST_CONFIG_JSON: "",
});

type Body = {
  items: { id: string; session_count: number | null; last_active: string | null }[];
  sources: { name: string; status: string }[];
};

describe("npm start with no config (the embedded default)", () => {
  it("serves this machine's executors and agents for each workspace", async () => {
    const { home, alpha, beta } = buildFixtureHome();
    const run = startEntry(env(home.root));
    const list = await run.listening;
    const inAlpha = (await (await fetch(`${list}?workspace_path=${alpha}`)).json()) as Body;
    expect(inAlpha.items.map((item) => [item.id, item.session_count, item.last_active])).toEqual([
      ["planner", 2, "2026-03-11T00:00:00.000Z"],
      ["CLAUDE_CODE", 2, "2026-03-05T10:00:00.000Z"],
      ["CODEX", 1, "2026-03-02T11:00:00.000Z"],
      ["reviewer", 1, "2026-01-03T00:00:00.000Z"],
      ["GEMINI", 0, null],
    ]);
    const inBeta = (await (await fetch(`${list}?workspace_path=${beta}`)).json()) as Body;
    expect(inBeta.items.map((item) => [item.id, item.session_count])).toEqual([
      ["GEMINI", 1],
      ["CODEX", 2],
      ["CLAUDE_CODE", 1],
      ["reviewer", 1],
      ["planner", 0],
    ]);
  });

  it("answers 200 with no items for an empty home: local sources ok, the portal unauthorized", async () => {
    const run = startEntry(env(tempTree().root));
    const response = await fetch(await run.listening);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Body;
    expect(body.items).toEqual([]);
    expect(body.sources.map((source) => [source.name, source.status])).toEqual([
      ["local-executors", "ok"],
      ["local-agents", "ok"],
      ["portal", "unauthorized"],
    ]);
  });
});

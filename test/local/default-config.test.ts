import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { tempTree } from "../support/home-fixture.js";
import { useNodeEntry } from "../support/node-entry.js";
import { buildFixtureHome } from "./fixture-home.js";
import { buildGroupChatHome } from "./group-chat-home.js";

const startEntry = useNodeEntry();
// No config at all, as a desktop app starts it; PATH holds no coding-agent binary.
const env = (home: string) => ({
  HOME: home,
  PATH: dirname(process.execPath),
  CHAT_LIST_CONFIG: "",
  CHAT_LIST_CONFIG_JSON: "",
});

type Item = {
  id: string;
  type: string;
  session_count: number | null;
  last_active: string | null;
  member_count?: number | null;
  unread_count?: number | null;
};
type Body = { items: Item[]; sources: { name: string; status: string; note: string | null }[] };

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

  it("serves this machine's Viben group chats, sorted among its executors and agents", async () => {
    const { home, alpha } = buildFixtureHome();
    buildGroupChatHome(home);
    const run = startEntry(env(home.root));
    const list = await run.listening;
    const body = (await (await fetch(`${list}?workspace_path=${alpha}`)).json()) as Body;
    // Group chats: [id, last_active, session_count, member_count, unread_count].
    expect(
      body.items.map((item) =>
        item.type === "group_chat"
          ? [item.id, item.last_active, item.session_count, item.member_count, item.unread_count]
          : [item.id, item.last_active, item.session_count],
      ),
    ).toEqual([
      ["gc-chatty", "2026-04-06T01:39:00.000Z", 1, 1, 100],
      ["gc-project-chat", "2026-04-05T10:30:00.000Z", 1, null, 0],
      ["gc-shared", "2026-04-04T08:00:00.000Z", 1, 2, 0],
      ["gc-ops", "2026-04-03T02:00:00.000Z", 2, 2, 2],
      ["gc-design", "2026-04-02T10:08:00.000Z", 1, 3, 3],
      ["gc-quiet", "2026-03-15T12:00:00.000Z", 0, 1, 0],
      ["planner", "2026-03-11T00:00:00.000Z", 2],
      ["CLAUDE_CODE", "2026-03-05T10:00:00.000Z", 2],
      ["CODEX", "2026-03-02T11:00:00.000Z", 1],
      ["reviewer", "2026-01-03T00:00:00.000Z", 1],
      ["GEMINI", null, 0],
    ]);
    expect(body.sources.map((source) => [source.name, source.status])).toEqual([
      ["local-group-chats", "ok"],
      ["local-executors", "ok"],
      ["local-agents", "ok"],
      ["portal", "skipped"],
    ]);
  });

  it("answers 200 with no items for an empty home: local sources ok, the portal skipped (no cookie)", async () => {
    const run = startEntry(env(tempTree().root));
    const response = await fetch(await run.listening);
    expect(response.status).toBe(200);
    // A desktop user who never signed in to the portal gets complete lists (DESIGN §1).
    expect(response.headers.get("x-chat-list-complete")).toBe("true");
    const body = (await response.json()) as Body & { complete: boolean };
    expect(body.complete).toBe(true);
    expect(body.sources.at(-1)?.note).toBe("no psession cookie sent");
    expect(body.items).toEqual([]);
    expect(body.sources.map((source) => [source.name, source.status])).toEqual([
      ["local-group-chats", "ok"],
      ["local-executors", "ok"],
      ["local-agents", "ok"],
      ["portal", "skipped"],
    ]);
  });
});

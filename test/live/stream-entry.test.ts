import { describe, expect, it } from "vitest";
import { claudeDir, tempTree } from "../support/home-fixture.js";
import { useNodeEntry } from "../support/node-entry.js";
import { signalGroup } from "../support/processes.js";
import { openSse } from "../support/sse-client.js";

const startEntry = useNodeEntry();

describe("live streams on the Node entry (npm start)", () => {
  it("patches within 2 s when a Claude Code session file appears, without waiting for the loop", async () => {
    const home = tempTree();
    const workspace = home.dir("code/app");
    home.write(
      `.claude/projects/${claudeDir(workspace)}/one.jsonl`,
      "{}\n",
      "2026-03-01T10:00:00Z",
    );
    const config = {
      sources: [
        { kind: "local_executors", name: "local-executors", home: home.root, searchPath: [] },
      ],
      live: { refreshMs: 60_000 },
    };
    const run = startEntry({ HOME: home.root, CHAT_LIST_CONFIG_JSON: JSON.stringify(config) });
    const list = await run.listening;
    const live = await openSse(`${list}/stream?workspace_path=${encodeURIComponent(workspace)}`);
    try {
      const snapshot = await live.next((event) => event.event === "snapshot", 5000);
      expect(JSON.parse(snapshot.data).items).toEqual([
        expect.objectContaining({ id: "CLAUDE_CODE", session_count: 1 }),
      ]);
      home.write(`.claude/projects/${claudeDir(workspace)}/two.jsonl`, "{}\n");
      const started = Date.now();
      const patch = await live.next((event) => event.event === "patch", 2000);
      expect(patch.at - started).toBeLessThan(2000);
      expect(JSON.parse(patch.data).upsert).toEqual([
        expect.objectContaining({ id: "CLAUDE_CODE", session_count: 2 }),
      ]);
    } finally {
      live.close();
    }
  });

  it("ends every stream with event: shutdown on SIGTERM, and exits 0", async () => {
    const home = tempTree();
    const run = startEntry({
      HOME: home.root,
      CHAT_LIST_CONFIG_JSON: JSON.stringify({ sources: [] }),
    });
    const list = await run.listening;
    const streams = await Promise.all([openSse(`${list}/stream`), openSse(`${list}/stream`)]);
    await Promise.all(
      streams.map((live) => live.next((event) => event.event === "snapshot", 5000)),
    );
    signalGroup(run.child.pid as number, "SIGTERM");
    for (const live of streams) {
      await live.next((event) => event.event === "shutdown", 5000);
      await live.closed;
    }
    expect(await run.exited).toBe(0);
  });
});

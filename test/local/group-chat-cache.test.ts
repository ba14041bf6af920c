import { appendFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { buildGroupChatHome } from "./group-chat-home.js";
import { recordingFs } from "./recording-fs.js";
import { messageLine } from "./viben-format.js";

// What a repeated scan of group chats costs: the per-source cache is off (ttlMs 0) and
// fileRefreshMs is 0, so every request looks at every file again and only the scanner's own
// caches (listings, file heads, message log summaries) can spare the reads.

function gateway(home: string) {
  const recording = recordingFs();
  const app = createApp({
    config: parseConfig({
      sources: [{ kind: "local_group_chats", name: "chats", home, fileRefreshMs: 0 }],
      cache: { ttlMs: 0, staleIfErrorMs: 0 },
    }),
    fetch: () => Promise.reject(new Error("no upstream")),
    local: createLocalSourceFactory({ fs: recording.fs, home, pathDirs: [] }),
  });
  const get = async (query: string) => {
    recording.reset();
    const body = (await (await app.request(`/api/chat-list${query}`)).json()) as {
      items: { id: string; unread_count: number | null; last_active: string | null }[];
    };
    return { body, calls: [...recording.calls] };
  };
  return { get };
}

describe("group chat scans", () => {
  it("a warm request reads no file and lists no directory", async () => {
    const { home, alpha } = buildGroupChatHome();
    const { get } = gateway(home.root);
    const cold = await get(`?workspace_path=${alpha}`);
    const methods = (calls: typeof cold.calls) => new Set(calls.map((call) => call.method));
    expect(methods(cold.calls)).toEqual(
      new Set(["stat", "realPath", "readDir", "readHead", "readRange"]),
    );
    const warm = await get(`?workspace_path=${alpha}`);
    expect(warm.body.items).toEqual(cold.body.items);
    expect(
      warm.calls.filter((call) => call.method !== "stat" && call.method !== "realPath"),
    ).toEqual([]);
  });

  it("reads only the bytes appended to a log when an agent message arrives", async () => {
    const { home } = buildGroupChatHome();
    const { get } = gateway(home.root);
    const design = (body: Awaited<ReturnType<typeof get>>["body"]) =>
      body.items.find((item) => item.id === "gc-design");
    expect(design((await get("")).body)?.unread_count).toBe(3);
    const log = home.path(".viben/group-chats/design/sessions/s1/messages.ui.jsonl");
    const before = statSync(log).size;
    appendFileSync(
      log,
      messageLine({ senderType: "agent", type: "text", timestamp: "2026-04-02T11:00:00Z" }, 99),
    );
    const after = await get("");
    expect(design(after.body)).toMatchObject({
      unread_count: 4,
      last_active: "2026-04-02T11:00:00.000Z",
    });
    const read = after.calls.filter(
      (call) => call.method === "readRange" || call.method === "readHead",
    );
    expect(read).toEqual([{ method: "readRange", path: log, start: before - 1 }]);
  });
});

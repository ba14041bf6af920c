import { describe, expect, it, vi } from "vitest";
import { executorsWithSessions } from "../support/fixtures.js";
import { claudeDir, tempTree } from "../support/home-fixture.js";
import { useNodeEntry } from "../support/node-entry.js";
import { configFor, useResources } from "../support/resources.js";
import { openSse, type SseClient } from "../support/sse-client.js";

const { upstream } = useResources();
const startEntry = useNodeEntry();
const REFRESH_MS = 500;

/** The real Node entry with one registry, its cache and loop both at REFRESH_MS. */
async function entryWithRegistry(sessions: Record<string, number>) {
  const registry = await upstream({ "/executors": executorsWithSessions(sessions) });
  const config = configFor(
    { registry },
    { cache: { ttlMs: REFRESH_MS }, live: { refreshMs: REFRESH_MS } },
  );
  const run = startEntry({ CHAT_LIST_CONFIG_JSON: JSON.stringify(config) });
  const list = await run.listening;
  return { registry, run, list, stream: `${list}/stream` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const patches = (live: SseClient) => live.events.filter((event) => event.event === "patch");

async function closing<T>(clients: SseClient[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    for (const client of clients) client.close();
  }
}

describe("live streams on the Node entry (npm start)", () => {
  it("send retry, then a snapshot whose items, counts and completeness are the list's", async () => {
    const { list, stream } = await entryWithRegistry({ CODEX: 1, GEMINI: 2 });
    const body = await (await fetch(list)).json();
    const live = await openSse(stream);
    await closing([live], async () => {
      expect(live.status).toBe(200);
      expect(live.headers.get("content-type")).toContain("text/event-stream");
      const snapshot = await live.next((event) => event.event === "snapshot", 5000);
      expect(live.events[0]?.event).toBe("retry");
      const data = JSON.parse(snapshot.data);
      expect({ ...data, sources: undefined }).toEqual({ ...body, sources: undefined });
      expect(data.sources.map((source: { status: string }) => source.status)).toEqual(["ok"]);
    });
  });

  it("send one patch with exactly the changed item within refreshMs + 1 s of a change", async () => {
    const { registry, stream } = await entryWithRegistry({ CODEX: 1, GEMINI: 2 });
    const live = await openSse(stream);
    await closing([live], async () => {
      await live.next((event) => event.event === "snapshot", 5000);
      registry.route({ "/executors": executorsWithSessions({ CODEX: 5, GEMINI: 2 }) });
      const changed = Date.now();
      const patch = await live.next((event) => event.event === "patch", REFRESH_MS + 1000);
      expect(patch.at - changed).toBeLessThan(REFRESH_MS + 1000);
      expect(JSON.parse(patch.data)).toMatchObject({
        upsert: [expect.objectContaining({ id: "CODEX", session_count: 5 })],
        remove: [],
        complete: true,
      });
      expect(JSON.parse(patch.data).upsert).toHaveLength(1);
      await sleep(REFRESH_MS * 2);
      expect(patches(live)).toHaveLength(1);
    });
  });

  it("send no patch, only the loop's upstream calls, while nothing changes for 3 periods", async () => {
    const { registry, stream } = await entryWithRegistry({ CODEX: 1 });
    const live = await openSse(stream);
    await closing([live], async () => {
      await live.next((event) => event.event === "snapshot", 5000);
      const before = registry.callsTo("/executors").length;
      // Waits on the loop's calls, not on the clock (a busy machine stretches each period): a
      // fourth call means the third period's answer has been compared and nothing sent.
      await vi.waitUntil(() => registry.callsTo("/executors").length - before >= 4, {
        timeout: REFRESH_MS * 4 + 15_000,
        interval: 20,
      });
      expect(patches(live)).toEqual([]);
    });
  });

  it("resume a held Last-Event-ID with one patch, and answer an unknown one with a snapshot", async () => {
    const { registry, stream } = await entryWithRegistry({ CODEX: 1 });
    // A second stream keeps the feed (and the versions it holds) alive across the reconnect.
    const keeper = await openSse(stream);
    await closing([keeper], async () => {
      await keeper.next((event) => event.event === "snapshot", 5000);
      const first = await openSse(stream);
      const version = await closing([first], async () => {
        const snapshot = await first.next((event) => event.event === "snapshot", 5000);
        return snapshot.id as string;
      });
      registry.route({ "/executors": executorsWithSessions({ CODEX: 2 }) });
      await keeper.next((event) => event.event === "patch", REFRESH_MS + 1000);
      const resumed = await openSse(stream, { "last-event-id": version });
      const unknown = await openSse(stream, { "last-event-id": "zzzzzz-1" });
      await closing([resumed, unknown], async () => {
        const patch = await resumed.next((event) => event.event === "patch", 2000);
        expect(JSON.parse(patch.data).upsert).toEqual([
          expect.objectContaining({ id: "CODEX", session_count: 2 }),
        ]);
        expect(resumed.events.some((event) => event.event === "snapshot")).toBe(false);
        await unknown.next((event) => event.event === "snapshot", 2000);
      });
    });
  });

  it("make the same upstream calls for five streams of one caller and query as for one, and none once they close", async () => {
    const { registry, stream } = await entryWithRegistry({ CODEX: 1 });
    const count = () => registry.callsTo("/executors").length;
    const one = await openSse(stream);
    await closing([one], async () => {
      await one.next((event) => event.event === "snapshot", 5000);
      await sleep(REFRESH_MS * 3);
    });
    const forOne = count();
    await sleep(REFRESH_MS);
    const five = await Promise.all(Array.from({ length: 5 }, () => openSse(stream)));
    const beforeFive = count();
    await closing(five, async () => {
      await Promise.all(five.map((live) => live.next((event) => event.event === "snapshot", 5000)));
      await sleep(REFRESH_MS * 3);
    });
    const forFive = count() - beforeFive;
    expect(Math.abs(forFive - forOne)).toBeLessThanOrEqual(1);
    // A load that was already on its way when the streams closed may still arrive; then none.
    await sleep(200);
    const afterClose = count();
    await sleep(REFRESH_MS * 3 + 200);
    expect(count()).toBe(afterClose);
  });

  it("patch within 2 s when a Claude Code session file appears, without waiting for the loop", async () => {
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
    await closing([live], async () => {
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
    });
  });

  it("end every stream with event: shutdown on SIGTERM, and exit 0", async () => {
    const run = startEntry({ CHAT_LIST_CONFIG_JSON: JSON.stringify({ sources: [] }) });
    const list = await run.listening;
    const streams = await Promise.all([openSse(`${list}/stream`), openSse(`${list}/stream`)]);
    await Promise.all(
      streams.map((live) => live.next((event) => event.event === "snapshot", 5000)),
    );
    // To the tsx CLI alone, which relays it once: a whole-group signal would reach the gateway
    // twice, and a late second one means "stop at once".
    run.child.kill("SIGTERM");
    for (const live of streams) {
      await live.next((event) => event.event === "shutdown", 5000);
      await live.closed;
    }
    expect(await run.exited).toBe(0);
  });
});

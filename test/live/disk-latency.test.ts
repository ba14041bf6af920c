import { appendFileSync, utimesSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { watchDir } from "../../src/runtime/node/watch-dir.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import type { LocalFs } from "../../src/sources/local/local-fs.js";
import { startGateway, type TestGateway } from "../support/gateway.js";
import { claudeDir, tempTree } from "../support/home-fixture.js";
import {
  itemsAfter as itemsAfterEvents,
  openSse,
  type SseClient,
  type SseMessage,
} from "../support/sse-client.js";

// Issue 23 (DESIGN §9): a change on disk reaches every open stream within a second, whatever
// fileRefreshMs says — with the default config, on the Node gateway with its real disk watches.
// Before, an appended message showed after fileRefreshMs (5 s) and an appended Claude Code line
// after 30 s: the watches saw the writes, but the scans reused the unchanged folders' counts.
//
// The bound these tests wait for is 3 s: the target is 1 s at p95 (bench: live latency), and
// the margin keeps a loaded machine from failing them while the old code (5 s, 30 s) still does.
const BOUND_MS = 3000;

const open: Array<{ close(): void }> = [];
const gateways: TestGateway[] = [];
afterEach(async () => {
  for (const one of open.splice(0)) one.close();
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

const human = { id: "u1", type: "human", refId: "me", displayName: "Ana", role: "owner" };
const line = (id: number, at: string) =>
  `${JSON.stringify({ id: `m${id}`, senderId: "bot", senderType: "agent", senderName: "Bot", type: "text", content: "hi", timestamp: at })}\n`;

/** A home with one global Viben group chat and one Claude Code session of `workspace`. */
function home() {
  const tree = tempTree();
  const workspace = tree.dir("code/app");
  const chat = ".viben/group-chats/project";
  tree.write(`${chat}/config.yaml`, JSON.stringify({ id: "project", name: "Project" }));
  tree.write(
    `${chat}/members.yaml`,
    JSON.stringify([
      { ...human, joinedAt: "2026-12-01T00:00:00Z", lastSeenAt: "2026-12-01T00:00:00Z" },
    ]),
  );
  tree.write(`${chat}/sessions/s1/config.yaml`, JSON.stringify({ status: "active" }));
  const log = tree.write(`${chat}/sessions/s1/messages.ui.jsonl`, line(1, "2026-12-02T00:00:00Z"));
  const session = tree.write(
    `.claude/projects/${claudeDir(workspace)}/session-1.jsonl`,
    '{"type":"user"}\n',
    "2026-12-01T00:00:00Z",
  );
  return { tree, workspace, log, session, config: tree.path(`${chat}/config.yaml`) };
}

type Item = { id: string; name: string; unread_count?: number | null; last_active: string | null };

/** The gateway with the default local config for `home`, and an open stream of `workspace`. */
async function streaming(
  fixture: ReturnType<typeof home>,
  options: { fs?: LocalFs; live?: Record<string, number> } = {},
) {
  const gateway = await startGateway(
    {
      sources: [
        { kind: "local_group_chats", name: "chats", home: fixture.tree.root },
        { kind: "local_executors", name: "executors", home: fixture.tree.root, searchPath: [] },
      ],
      ...(options.live === undefined ? {} : { live: options.live }),
    },
    {
      local: createLocalSourceFactory({
        fs: options.fs ?? nodeFs,
        home: fixture.tree.root,
        pathDirs: [],
      }),
      watchDir,
    },
  );
  gateways.push(gateway);
  const url = `${gateway.url}/api/chat-list/stream?workspace_path=${encodeURIComponent(fixture.workspace)}`;
  const client = await openSse(url);
  open.push(client);
  await client.next((event) => event.event === "snapshot", 10_000);
  return { gateway, url, client };
}

/** Items of every snapshot and patch so far, applied in order. */
const itemsAfter = (events: SseMessage[]) => itemsAfterEvents<Item>(events);

/** Waits for a patch after which `check` holds; resolves with the ms from `since`. */
async function patched(
  client: SseClient,
  since: number,
  check: (items: Map<string, Item>) => boolean,
  // By default a patch still to come; the burst test looks from its start.
  from = client.events.length,
) {
  const event = await client.next(
    (candidate) =>
      candidate.event === "patch" &&
      check(itemsAfter(client.events.slice(0, client.events.indexOf(candidate) + 1))),
    BOUND_MS,
    from,
  );
  return event.at - since;
}

describe("a change on disk on an open stream", () => {
  it("shows an agent's message appended to an existing group-chat log (the unread badge)", async () => {
    const fixture = home();
    const { client } = await streaming(fixture);
    expect(itemsAfter(client.events).get("gc-project")?.unread_count).toBe(1);
    const writtenAt = Date.now();
    appendFileSync(fixture.log, line(2, "2026-12-03T00:00:00Z"));
    const ms = await patched(
      client,
      writtenAt,
      (items) => items.get("gc-project")?.unread_count === 2,
    );
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("shows a line appended to an ongoing Claude Code session (the executor's last_active)", async () => {
    const fixture = home();
    const { client } = await streaming(fixture);
    const before = itemsAfter(client.events).get("CLAUDE_CODE")?.last_active;
    const writtenAt = Date.now();
    appendFileSync(fixture.session, '{"type":"assistant"}\n');
    const ms = await patched(
      client,
      writtenAt,
      (items) => items.get("CLAUDE_CODE")?.last_active !== before,
    );
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("shows a chat renamed in its config.yaml", async () => {
    const fixture = home();
    const { client } = await streaming(fixture);
    const writtenAt = Date.now();
    writeFileSync(fixture.config, JSON.stringify({ id: "project", name: "Renamed" }));
    const ms = await patched(
      client,
      writtenAt,
      (items) => items.get("gc-project")?.name === "Renamed",
    );
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("shows a burst as it goes, bounded: 500 appends in 10 s make few re-reads and patches", async () => {
    const fixture = home();
    let reads = 0;
    const counting: LocalFs = {
      ...nodeFs,
      readRange(path, start, maxBytes) {
        if (path === fixture.log) reads++;
        return nodeFs.readRange(path, start, maxBytes);
      },
    };
    const { client } = await streaming(fixture, { fs: counting });
    const from = client.events.length;
    reads = 0;
    const started = Date.now();
    for (let index = 0; index < 500; index++) {
      appendFileSync(
        fixture.log,
        line(100 + index, new Date(Date.UTC(2026, 11, 4, 0, 0, index)).toISOString()),
      );
      // A stamp that moves with each write, as a busy writer's does.
      utimesSync(fixture.log, new Date(), new Date(started + index));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (Date.now() - started) / 1000;
    // The last line may have been patched while the loop slept after it: looked for from the
    // burst's start, not only among patches still to come.
    const last = await patched(
      client,
      Date.now(),
      (items) => items.get("gc-project")?.unread_count === 501,
      from,
    );
    const patches = client.events.slice(from).filter((event) => event.event === "patch");
    // The first line showed while the writes went on, within about a second of the first.
    expect(patches[0]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(started + BOUND_MS);
    expect(last).toBeLessThan(BOUND_MS);
    // At most one patch per minIntervalMs (250) and one re-read per debounce window (150 ms,
    // 500 at most for a burst): bounded by the burst's length, not by its 500 writes.
    expect(patches.length).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / 250) + 2);
    expect(reads).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / 150) + 2);
    expect(patches.length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe("a lone stream that reconnects", () => {
  it("resumes with one patch carrying what changed while it was gone, within resumeMs", async () => {
    const fixture = home();
    const { url, client } = await streaming(fixture, { live: { resumeMs: 60_000 } });
    const lastId = client.events.findLast((event) => event.id !== undefined)?.id as string;
    client.close();
    await client.closed;
    writeFileSync(fixture.config, JSON.stringify({ id: "project", name: "While away" }));
    const again = await openSse(url, { "Last-Event-ID": lastId });
    open.push(again);
    const first = await again.next(
      (event) => event.event === "snapshot" || event.event === "patch",
      10_000,
    );
    expect(first.event).toBe("patch");
    const patch = JSON.parse(first.data) as { upsert: Item[] };
    expect(patch.upsert.map((item) => item.name)).toEqual(["While away"]);
  });

  it("gets a snapshot once resumeMs is over", async () => {
    const fixture = home();
    const { url, client } = await streaming(fixture, { live: { resumeMs: 100 } });
    const lastId = client.events.findLast((event) => event.id !== undefined)?.id as string;
    client.close();
    await client.closed;
    // Longer than resumeMs: the feed's expiry timer, set before this one, has run.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await openSse(url, { "Last-Event-ID": lastId });
    open.push(again);
    const first = await again.next(
      (event) => event.event === "snapshot" || event.event === "patch",
      10_000,
    );
    expect(first.event).toBe("snapshot");
  });
});

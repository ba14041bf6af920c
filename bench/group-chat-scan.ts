// Cold and warm request times of local_group_chats over a home with many Viben group chats, and
// what each scan cost. Part of `npm run bench:local` (see local-scan.ts).

import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.js";
import { createApp } from "../src/http/app.js";
import { nodeFs } from "../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../src/sources/local/index.js";

const CHATS = 1000;
const SESSIONS_PER_CHAT = 2;
const MESSAGES_PER_SESSION = 5; // 1,000 × 2 × 5 = 10,000 messages
const WORKSPACE_SHARE = 5; // every 5th chat lives in the workspace, the others are global
const WARM_RUNS = 5;
const TYPES = ["user", "thinking", "tool_use", "text", "error"];

const message = (chat: number, session: number, index: number) =>
  `${JSON.stringify({
    id: `m${chat}-${session}-${index}`,
    senderId: index === 0 ? "u1" : "a1",
    senderType: index === 0 ? "human" : "agent",
    senderName: index === 0 ? "Ana" : "Reviewer",
    type: TYPES[index % TYPES.length],
    content: "a message of about the length people write in a chat, give or take",
    timestamp: new Date(
      Date.UTC(2026, 3, 1) + (chat * 10 + session * 5 + index) * 1000,
    ).toISOString(),
  })}\n`;

function buildHome() {
  const home = mkdtempSync(join(tmpdir(), "chat-list-bench-chats-"));
  const workspace = join(home, "code/project");
  const write = (path: string, content: string) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
  };
  for (let chat = 0; chat < CHATS; chat++) {
    const root = chat % WORKSPACE_SHARE === 0 ? workspace : home;
    const dir = join(root, ".viben/group-chats", `chat-${chat}`);
    const at = new Date(Date.UTC(2026, 2, 1) + chat * 60_000).toISOString();
    write(
      join(dir, "config.yaml"),
      JSON.stringify(
        { id: `chat-${chat}`, name: `Chat ${chat}`, createdAt: at, updatedAt: at },
        null,
        2,
      ),
    );
    write(
      join(dir, "members.yaml"),
      JSON.stringify([
        { id: "u1", type: "human", joinedAt: at, lastSeenAt: at },
        { id: "a1", type: "agent", joinedAt: at },
        { id: "a2", type: "agent", joinedAt: at },
      ]),
    );
    for (let session = 0; session < SESSIONS_PER_CHAT; session++) {
      const sessionDir = join(dir, "sessions", `s${session}`);
      write(
        join(sessionDir, "config.yaml"),
        JSON.stringify({ status: "active", createdAt: at, updatedAt: at }),
      );
      let log = "";
      for (let index = 0; index < MESSAGES_PER_SESSION; index++)
        log += message(chat, session, index);
      write(join(sessionDir, "messages.ui.jsonl"), log);
    }
  }
  return {
    home,
    workspace,
    oneLog: join(home, ".viben/group-chats/chat-1/sessions/s0/messages.ui.jsonl"),
  };
}

function gateway(home: string, fileRefreshMs?: number) {
  const logs: { sources?: { cost?: Record<string, number> }[] }[] = [];
  const app = createApp({
    config: parseConfig({
      sources: [
        {
          kind: "local_group_chats",
          name: "chats",
          home,
          timeoutMs: 60_000,
          ...(fileRefreshMs === undefined ? {} : { fileRefreshMs }),
        },
      ],
      // No per-source cache: every request scans, so the scanner's own caching is measured; and
      // no timeout cuts the cold scan short.
      cache: { ttlMs: 0, staleIfErrorMs: 0 },
      deadlineMs: 60_000,
    }),
    fetch: () => Promise.reject(new Error("no upstream")),
    logger: { info: (event) => logs.push(event), warn() {}, error() {} },
    local: createLocalSourceFactory({ fs: nodeFs, home, pathDirs: [] }),
  });
  return async (path: string) => {
    const started = performance.now();
    const response = await app.request(path);
    const body = (await response.json()) as { items: unknown[] };
    const ms = performance.now() - started;
    return { ms, items: body.items.length, cost: logs.at(-1)?.sources?.[0]?.cost ?? {} };
  };
}

const costOf = (cost: Record<string, number>) =>
  `${cost.dirsListed} / ${cost.filesRead} / ${cost.stats}`;

/** The rows of the group chat table, one per way of repeating a request. */
export async function benchGroupChats(): Promise<string[]> {
  const { home, workspace, oneLog } = buildHome();
  const path = `/api/chat-list?workspace_path=${encodeURIComponent(workspace)}`;
  const rows: string[] = [];
  for (const [label, fileRefreshMs] of [
    ["warm, fileRefreshMs 5000 (default)", undefined],
    ["warm, fileRefreshMs 0 (every file looked at)", 0],
  ] as const) {
    const get = gateway(home, fileRefreshMs);
    const cold = await get(path);
    let warm = cold;
    let total = 0;
    for (let run = 0; run < WARM_RUNS; run++) {
      warm = await get(path);
      total += warm.ms;
    }
    rows.push(
      `| ${label} | ${cold.items} | ${cold.ms.toFixed(1)} | ${costOf(cold.cost)} | ${(total / WARM_RUNS).toFixed(1)} | ${costOf(warm.cost)} |`,
    );
    if (fileRefreshMs === 0) {
      appendFileSync(oneLog, message(1, 0, 99));
      const grown = await get(path);
      rows.push(
        `| one message appended, fileRefreshMs 0 | ${grown.items} |  |  | ${grown.ms.toFixed(1)} | ${costOf(grown.cost)} |`,
      );
    }
  }
  rmSync(home, { recursive: true, force: true });
  return rows;
}

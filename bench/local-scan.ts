// Cold and warm request times of the local sources over a home with many session files, and
// what each scan cost (directories listed or reused, files read); then the same for 1,000 Viben
// group chats holding 10,000 messages (group-chat-scan.ts). Run: npm run bench:local
// With `--new-workspace FILES`, only what a workspace asked for the first time costs over FILES
// session files, as one JSON line (npm run bench records it).

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.js";
import { createApp } from "../src/http/app.js";
import { nodeFs } from "../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../src/sources/local/index.js";
import { benchGroupChats } from "./group-chat-scan.js";

const SIZES = process.argv.includes("--quick") ? [1000, 2000] : [1000, 5000, 10_000];
const WORKSPACES = 20;
const WARM_RUNS = 5;

/** A home with `files` sessions: half Claude Code, a quarter Codex, a quarter Gemini CLI. */
function buildHome(files: number): { home: string; workspace: string } {
  const home = mkdtempSync(join(tmpdir(), "chat-list-bench-"));
  const workspace = (index: number) => `/home/bench/project-${index % WORKSPACES}`;
  const write = (relative: string, content: string, index: number) => {
    const path = join(home, relative);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
    const time = new Date(Date.UTC(2026, 0, 1) + index * 60_000);
    utimesSync(path, time, time);
  };
  for (let i = 0; i < files; i++) {
    const cwd = workspace(i);
    if (i % 4 < 2)
      write(
        `.claude/projects/${cwd.replace(/[^A-Za-z0-9]/g, "-")}/s${i}.jsonl`,
        '{"type":"user"}\n',
        i,
      );
    else if (i % 4 === 2) {
      const day = String((i % 28) + 1).padStart(2, "0");
      const meta = JSON.stringify({ type: "session_meta", payload: { id: `c${i}`, cwd } });
      write(`.codex/sessions/2026/01/${day}/rollout-${i}.jsonl`, `${meta}\n{"type":"event"}\n`, i);
    } else {
      const hash = createHash("sha256").update(cwd).digest("hex");
      write(`.gemini/tmp/${hash}/chats/session-${i}.json`, "{}", i);
    }
  }
  return { home, workspace: workspace(0) };
}

function gateway(home: string) {
  const logs: Record<string, unknown>[] = [];
  const app = createApp({
    config: parseConfig({
      sources: [{ kind: "local_executors", name: "local-executors", home, searchPath: [] }],
      // No per-source cache: every request scans, so the scanner's own caching is measured.
      cache: { ttlMs: 0, staleIfErrorMs: 0 },
    }),
    fetch: () => Promise.reject(new Error("no upstream")),
    logger: { info: (event) => logs.push(event), warn() {}, error() {} },
    local: createLocalSourceFactory({ fs: nodeFs, home, pathDirs: [] }),
  });
  return { app, logs };
}

async function timed(
  app: ReturnType<typeof gateway>["app"],
  path: string,
  logs: Record<string, unknown>[],
) {
  const started = performance.now();
  const response = await app.request(path);
  await response.arrayBuffer();
  const ms = performance.now() - started;
  const last = logs.at(-1) as { sources: { cost: Record<string, number> }[] };
  return { ms, cost: last.sources[0]?.cost ?? {} };
}

/** A workspace asked for the first time, once the stores have been scanned (the warm index):
 * the mean time and scan cost of five such workspaces. */
async function newWorkspaceCost(home: string) {
  const { app, logs } = gateway(home);
  await timed(app, "/api/chat-list", logs);
  let total = 0;
  let listed = 0;
  let read = 0;
  let stats = 0;
  const fresh = Array.from({ length: 5 }, (_, i) => `/home/bench/project-${WORKSPACES - 1 - i}`);
  for (const workspace of fresh) {
    const run = await timed(app, `/api/chat-list?workspace_path=${workspace}`, logs);
    total += run.ms;
    listed += run.cost.dirsListed ?? 0;
    read += run.cost.filesRead ?? 0;
    stats += run.cost.stats ?? 0;
  }
  return {
    workspaces: fresh.length,
    ms_each: Math.round((total / fresh.length) * 100) / 100,
    dirs_listed: listed,
    files_read: read,
    stats_each: Math.round(stats / fresh.length),
  };
}

const only = process.argv.indexOf("--new-workspace");
if (only !== -1) {
  const files = Number(process.argv[only + 1] ?? 10_000);
  const { home } = buildHome(files);
  console.log(JSON.stringify({ files, ...(await newWorkspaceCost(home)) }));
  rmSync(home, { recursive: true, force: true });
  process.exit(0);
}

const rows: string[] = [];
const newWorkspaceRows: string[] = [];
let previous: { files: number; cold: number } | undefined;
for (const files of SIZES) {
  const { home, workspace } = buildHome(files);
  for (const [label, path] of [
    ["one workspace", `/api/chat-list?workspace_path=${workspace}`],
    ["all sessions", "/api/chat-list"],
  ] as const) {
    const { app, logs } = gateway(home);
    const cold = await timed(app, path, logs);
    let warmTotal = 0;
    let warm = cold;
    for (let run = 0; run < WARM_RUNS; run++) {
      warm = await timed(app, path, logs);
      warmTotal += warm.ms;
    }
    const warmMs = warmTotal / WARM_RUNS;
    rows.push(
      `| ${files} | ${label} | ${cold.ms.toFixed(1)} | ${warmMs.toFixed(1)} | ${(cold.ms / warmMs).toFixed(1)}× | ` +
        `${cold.cost.dirsListed}/${cold.cost.filesRead} | ${warm.cost.dirsListed}/${warm.cost.filesRead} | ${warm.cost.dirsReused} | ${warm.cost.stats} |`,
    );
    if (label === "all sessions") {
      if (previous !== undefined)
        rows.push(
          `|  | growth vs ${previous.files} | ${(cold.ms / previous.cold).toFixed(2)}× for ${(files / previous.files).toFixed(1)}× files |  |  |  |  |  |  |`,
        );
      previous = { files, cold: cold.ms };
    }
  }
  const fresh = await newWorkspaceCost(home);
  newWorkspaceRows.push(
    `| ${files} | ${fresh.ms_each.toFixed(2)} | ${fresh.dirs_listed} | ${fresh.files_read} | ${fresh.stats_each} |`,
  );
  rmSync(home, { recursive: true, force: true });
}

console.log(`local sources scan, Node ${process.version}, ${new Date().toISOString()}`);
console.log(
  "| session files | request | cold ms | warm ms (mean of 5) | cold/warm | cold dirs listed/files read | warm dirs listed/files read | warm dirs reused | warm stats |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const row of rows) console.log(row);

console.log("");
console.log(
  "a workspace_path asked for the first time, after one scan of every session (5 of them)",
);
console.log(
  "| session files | ms each (mean) | dirs listed (all 5) | files read (all 5) | stats each |",
);
console.log("|---|---|---|---|---|");
for (const row of newWorkspaceRows) console.log(row);

console.log("");
console.log(
  "local_group_chats: 1,000 chats (200 in the workspace), 2,000 sessions, 10,000 messages; one workspace request",
);
console.log(
  "| repeated request | items | cold ms | cold dirs listed / files read / stats | warm ms (mean of 5) | warm dirs listed / files read / stats |",
);
console.log("|---|---|---|---|---|---|");
for (const row of await benchGroupChats()) console.log(row);

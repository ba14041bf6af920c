// Live latency (issue 23, DESIGN §9): from a write on disk to the patch on an open stream, for
// each kind of change a sidebar user watches, against the built gateway with the default
// config (no config file: the embedded local sources) on a fixture home. 20 trials a kind.
//
//   npm run bench:live [-- --trials 20]        (also part of npm run bench: live_latency)
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIfStale, SERVER } from "../scripts/build.mjs";
import { freePort } from "../test/support/free-port.js";
import { endGroup, spawnGroup } from "../test/support/processes.js";
import {
  itemsAfter,
  openSse,
  type SseClient,
  type SseMessage,
} from "../test/support/sse-client.js";

type Item = {
  id: string;
  name: string;
  unread_count?: number | null;
  session_count?: number | null;
  last_active: string | null;
};

export interface KindLatency {
  trials: number;
  missed: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

const dashed = (path: string) => path.replace(/[^A-Za-z0-9]/g, "-");
const message = (n: number) =>
  `${JSON.stringify({ id: `m${n}`, senderId: "bot", senderType: "agent", senderName: "Bot", type: "text", content: "…", timestamp: new Date(Date.UTC(2026, 11, 1) + n * 1000).toISOString() })}\n`;

const items = (events: SseMessage[]) => itemsAfter<Item>(events);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;

export async function liveLatencyScenario(trials = 20): Promise<Record<string, KindLatency>> {
  await buildIfStale();
  const root = mkdtempSync(join(tmpdir(), "chat-list-live-"));
  const home = join(root, "home");
  const workspace = join(root, "code/app");
  const chat = join(home, ".viben/group-chats/project");
  const log = join(chat, "sessions/s1/messages.ui.jsonl");
  const claude = join(home, ".claude/projects", dashed(workspace));
  mkdirSync(join(chat, "sessions/s1"), { recursive: true });
  mkdirSync(claude, { recursive: true });
  mkdirSync(join(home, ".viben/agents"), { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(chat, "config.yaml"), JSON.stringify({ id: "project", name: "Project" }));
  writeFileSync(
    join(chat, "members.yaml"),
    JSON.stringify([{ id: "u1", type: "human", refId: "me", joinedAt: "2026-11-01T00:00:00Z" }]),
  );
  writeFileSync(join(chat, "sessions/s1/config.yaml"), JSON.stringify({ status: "active" }));
  writeFileSync(log, message(0));
  writeFileSync(join(claude, "ongoing.jsonl"), '{"type":"user"}\n');

  const port = await freePort();
  const child = spawnGroup(process.execPath, [SERVER], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      HOME: home,
      XDG_STATE_HOME: join(root, "state"),
      CHAT_LIST_CONFIG: "",
      CHAT_LIST_CONFIG_JSON: "",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const origin = `http://127.0.0.1:${port}`;
  let client: SseClient | undefined;
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      if ((await fetch(`${origin}/healthz`).catch(() => null))?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    client = await openSse(
      `${origin}/api/chat-list/stream?workspace_path=${encodeURIComponent(workspace)}`,
    );
    const stream = client;
    await stream.next((event) => event.event === "snapshot", 10_000);
    let counter = 0;
    const kinds: Record<string, () => (now: Map<string, Item>) => boolean> = {
      appended_message: () => {
        const before = items(stream.events).get("gc-project")?.unread_count ?? 0;
        appendFileSync(log, message(++counter));
        return (now) => (now.get("gc-project")?.unread_count ?? 0) > before;
      },
      appended_session_line: () => {
        const before = items(stream.events).get("CLAUDE_CODE")?.last_active;
        appendFileSync(join(claude, "ongoing.jsonl"), '{"type":"assistant"}\n');
        return (now) => now.get("CLAUDE_CODE")?.last_active !== before;
      },
      new_session: () => {
        const before = items(stream.events).get("CLAUDE_CODE")?.session_count ?? 0;
        writeFileSync(join(claude, `new-${++counter}.jsonl`), '{"type":"user"}\n');
        return (now) => (now.get("CLAUDE_CODE")?.session_count ?? 0) > before;
      },
      new_agent: () => {
        const id = `agent-${++counter}`;
        mkdirSync(join(home, ".viben/agents", id));
        writeFileSync(
          join(home, ".viben/agents", id, "AGENTS.md"),
          `---\nname: ${id}\n---\nHelp.\n`,
        );
        return (now) => now.has(id);
      },
      renamed_chat: () => {
        const name = `Project ${++counter}`;
        writeFileSync(join(chat, "config.yaml"), JSON.stringify({ id: "project", name }));
        return (now) => now.get("gc-project")?.name === name;
      },
    };
    const results: Record<string, KindLatency> = {};
    for (const [kind, change] of Object.entries(kinds)) {
      const times: number[] = [];
      let missed = 0;
      for (let trial = 0; trial < trials; trial++) {
        const from = stream.events.length;
        const written = Date.now();
        const shown = change();
        const patch = await stream
          .next(
            (event) =>
              event.event === "patch" &&
              shown(items(stream.events.slice(0, stream.events.indexOf(event) + 1))),
            5000,
            from,
          )
          .catch(() => null);
        if (patch === null) missed++;
        else times.push(patch.at - written);
        // Past minIntervalMs, so each trial waits for no earlier patch.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      times.sort((a, b) => a - b);
      results[kind] = {
        trials,
        missed,
        p50_ms: percentile(times, 50),
        p95_ms: percentile(times, 95),
        max_ms: times.at(-1) ?? 0,
      };
    }
    return results;
  } finally {
    client?.close();
    await endGroup(child.pid as number);
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf("--trials");
  const results = await liveLatencyScenario(at === -1 ? 20 : Number(process.argv[at + 1]));
  console.log(
    "change kind              p50 ms  p95 ms  max ms  missed (of trials)   target: p95 ≤ 1000",
  );
  for (const [kind, r] of Object.entries(results))
    console.log(
      `${kind.padEnd(24)} ${String(r.p50_ms).padStart(6)}  ${String(r.p95_ms).padStart(6)}  ${String(r.max_ms).padStart(6)}  ${r.missed} (of ${r.trials})`,
    );
}

// Issue 22's hostile-disk probe patterns against the built gateway (one Node process, a 256 MB
// heap), at `--scale` times the probe's sizes (default 10): /healthz latency while each pattern
// is requested, the gateway's RSS, the lists' statuses, and how long SIGTERM takes at the end.
//
//   npm run bench:hostile [-- --scale 10]
//
// Loopback only; everything it makes lives in a temporary directory removed at the end.
import { execFileSync, spawn } from "node:child_process";
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIfStale, SERVER } from "../scripts/build.mjs";
import { freePort } from "../test/support/free-port.js";
import { endGroup, spawnGroup } from "../test/support/processes.js";

const scaleAt = process.argv.indexOf("--scale");
const SCALE = scaleAt === -1 ? 10 : Number(process.argv[scaleAt + 1]);
const root = mkdtempSync(join(tmpdir(), "chat-list-hostile-"));
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
// The /healthz probe's own connection: behind the lists' pool it would time their queue.
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(url: string, via = agent): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent: via, timeout: 30_000 }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
      );
    });
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

function aliases(target: string, count: number, tag: string): string[] {
  const dir = join(root, `aliases-${tag}`);
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, index) => {
    const alias = join(dir, `ws-${index}`);
    symlinkSync(target, alias);
    return alias;
  });
}

async function gateway(sources: unknown[]) {
  const port = await freePort();
  const child = spawnGroup(process.execPath, ["--max-old-space-size=256", SERVER], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      HOME: join(root, "home"),
      XDG_STATE_HOME: join(root, "state"),
      // The rate limiter off: it would answer most of a pattern's requests 429 at 10×, and what
      // is measured here is what the disk costs, not what the door spares.
      CHAT_LIST_CONFIG_JSON: JSON.stringify({
        sources,
        deadlineMs: 5000,
        rateLimit: { perMinute: 0, addressPerMinute: 0 },
      }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.resume();
  child.stderr?.resume();
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await get(`${origin}/healthz`)).status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { origin, pid: child.pid as number, exited };
}

/** Requests every workspace (8 at a time) while /healthz is probed; prints one line. */
async function pattern(
  name: string,
  sources: unknown[],
  workspaces: string[],
  during?: () => () => void,
) {
  const gw = await gateway(sources);
  // One list of a plain workspace first: the process's own warm-up (compiling, first reads) is
  // not what a hostile folder costs.
  await get(`${gw.origin}/api/chat-list?workspace_path=${encodeURIComponent(join(root, "home"))}`);
  const rssStart = rssMb(gw.pid);
  let rssPeak = rssStart;
  const statuses = new Map<number, number>();
  const health: number[] = [];
  let done = false;
  const probing = (async () => {
    while (!done) {
      health.push((await get(`${gw.origin}/healthz`, probeAgent)).ms);
      rssPeak = Math.max(rssPeak, rssMb(gw.pid));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const stop = during?.();
  const started = performance.now();
  for (let batch = 0; batch < workspaces.length; batch += 8)
    for (const { status } of await Promise.all(
      workspaces
        .slice(batch, batch + 8)
        .map((ws) => get(`${gw.origin}/api/chat-list?workspace_path=${encodeURIComponent(ws)}`)),
    ))
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const seconds = (performance.now() - started) / 1000;
  stop?.();
  done = true;
  await probing;
  const rssEnd = rssMb(gw.pid);
  health.sort((a, b) => a - b);
  const stopping = performance.now();
  process.kill(gw.pid, "SIGTERM");
  const code = await gw.exited;
  const stopMs = performance.now() - stopping;
  console.log(
    `${name.padEnd(34)} ${String(workspaces.length).padStart(5)} lists in ${seconds.toFixed(1)} s ` +
      `${JSON.stringify(Object.fromEntries(statuses))}  /healthz p50 ${percentile(health, 50).toFixed(1)} ` +
      `p99 ${percentile(health, 99).toFixed(1)} max ${(health.at(-1) ?? 0).toFixed(1)} ms (${health.length})  ` +
      `RSS ${rssStart.toFixed(0)} → peak ${rssPeak.toFixed(0)} → ${rssEnd.toFixed(0)} MB  ` +
      `SIGTERM: exit ${code} in ${stopMs.toFixed(0)} ms`,
  );
  await endGroup(gw.pid);
}

await buildIfStale();
console.log(
  `hostile-disk patterns at ${SCALE}× the probe's sizes, built gateway, --max-old-space-size=256`,
);
try {
  // 1. 300 hard links of a 256 KiB AGENTS.md, through fresh symlinked names.
  {
    const owned = join(root, "links");
    const body = `---\nname: Agent\n---\n${"You are helpful. ".repeat(16 * 1024)}`;
    mkdirSync(join(owned, ".viben/agents/a-0"), { recursive: true });
    const original = join(owned, ".viben/agents/a-0/AGENTS.md");
    writeFileSync(original, body);
    for (let index = 1; index < 300 * SCALE; index++) {
      mkdirSync(join(owned, `.viben/agents/a-${index}`));
      linkSync(original, join(owned, `.viben/agents/a-${index}/AGENTS.md`));
    }
    await pattern(
      `hard links (${300 * SCALE} × 256 KiB)`,
      [{ kind: "local_agents", name: "agents" }],
      aliases(owned, 10 * SCALE, "links"),
    );
  }
  // 2. Deeply nested YAML in 4 chats' config.yaml.
  {
    const owned = join(root, "yaml");
    for (let chat = 0; chat < 4 * SCALE; chat++) {
      mkdirSync(join(owned, `.viben/group-chats/c-${chat}`), { recursive: true });
      writeFileSync(
        join(owned, `.viben/group-chats/c-${chat}/config.yaml`),
        "[".repeat(256 * 1024),
      );
    }
    await pattern(
      `nested YAML (${4 * SCALE} × 256 KiB of [)`,
      [{ kind: "local_group_chats", name: "chats" }],
      aliases(owned, 10 * SCALE, "yaml"),
    );
  }
  // 3. 200,000 symlinks in one folder.
  {
    const owned = join(root, "symlinks");
    mkdirSync(join(owned, ".viben/agents"), { recursive: true });
    mkdirSync(join(owned, "target"));
    writeFileSync(join(owned, "target/config.yaml"), "name: T\n");
    for (let index = 0; index < 200_000 * SCALE; index++)
      symlinkSync(join(owned, "target"), join(owned, `.viben/agents/l-${index}`));
    await pattern(
      `symlinks (${200_000 * SCALE} in one folder)`,
      [{ kind: "local_agents", name: "agents" }],
      aliases(owned, 10 * SCALE, "symlinks"),
    );
  }
  // 4. Files swapped for FIFOs while 200 symlinked names are requested.
  {
    const owned = join(root, "fifos");
    const files: string[] = [];
    for (let chat = 0; chat < 6; chat++) {
      const dir = join(owned, `.viben/group-chats/c-${chat}`);
      mkdirSync(join(dir, "sessions/s"), { recursive: true });
      files.push(join(dir, "config.yaml"), join(dir, "sessions/s/messages.ui.jsonl"));
      for (const file of files.slice(-2)) writeFileSync(file, "{}\n");
    }
    await pattern(
      `FIFO swaps (${200 * SCALE} names)`,
      [{ kind: "local_group_chats", name: "chats", fileRefreshMs: 0 }],
      aliases(owned, 200 * SCALE, "fifos"),
      () => {
        const swapper = spawn(
          process.execPath,
          [
            "-e",
            `const fs = require("node:fs"), cp = require("node:child_process");
             for (;;) for (const file of process.argv.slice(1)) {
               try { cp.execFileSync("mkfifo", [file + ".fifo"]); fs.renameSync(file + ".fifo", file); } catch {}
               try { fs.writeFileSync(file + ".tmp", "{}"); fs.renameSync(file + ".tmp", file); } catch {}
             }`,
            ...files,
          ],
          { stdio: "ignore" },
        );
        return () => swapper.kill("SIGKILL");
      },
    );
  }
} finally {
  execFileSync("rm", ["-rf", root]);
  rmSync(root, { recursive: true, force: true });
}

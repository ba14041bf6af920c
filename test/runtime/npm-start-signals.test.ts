// `npm start` as a supervisor runs it (systemd, docker stop): signals go to the npm process
// alone, and everything under it must stop with it, gracefully when asked to.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { olderNode } from "../support/older-node.js";
import {
  descendants,
  record,
  type SeenProcess,
  seen,
  stillRunning,
} from "../support/process-tree.js";
import { executorsReply, useResources } from "../support/resources.js";
import { useProcessGroups } from "../support/use-processes.js";

const root = join(import.meta.dirname, "../..");
const { upstream } = useResources();
const spawn = useProcessGroups();
const STOP_WITHIN_MS = 12_000;
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});
// Where the launcher keeps the Node 22 it fetches for an older node: the real user's cache,
// not the temporary HOME's, so it is fetched once per machine, not once per run.
const nodeCache = join(
  process.env.XDG_CACHE_HOME || join(homedir(), ".cache"),
  "chat-list-gateway",
);

interface NpmStart {
  npm: ChildProcess;
  base: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** npm and every process seen under it so far. */
  tree: Map<string, SeenProcess>;
  output(): string;
}

/** Runs the real `npm start` in its own process group, on a free port, with a temporary HOME. */
async function npmStart(registryUrl: string, pathPrefix?: string): Promise<NpmStart> {
  const config = {
    sources: [
      { kind: "executor_registry", name: "executors", baseUrl: registryUrl, timeoutMs: 8000 },
    ],
    deadlineMs: 8000,
  };
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const home = mkdtempSync(join(tmpdir(), "chat-list-npm-home-"));
    homes.push(home);
    const npm = spawn("npm", ["start"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...(pathPrefix ? { PATH: `${pathPrefix}:${process.env.PATH}` } : {}),
        HOME: home,
        PORT: String(port),
        HOST: "127.0.0.1",
        CHAT_LIST_CONFIG: "",
        CHAT_LIST_CONFIG_JSON: JSON.stringify(config),
        CHAT_LIST_NODE_CACHE: nodeCache,
        npm_config_update_notifier: "false", // no registry call, no notice
      },
    });
    let output = "";
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.on("exit", (code, signal) => resolve({ code, signal })),
    );
    const listening = await new Promise<boolean>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes("list: http://")) resolve(true);
      };
      npm.stdout?.on("data", onData);
      npm.stderr?.on("data", onData);
      void exited.then(() => resolve(false));
    });
    const base = `http://127.0.0.1:${port}`;
    if (listening) {
      const tree = new Map<string, SeenProcess>();
      record(tree, [seen(npm.pid as number) as SeenProcess, ...descendants(npm.pid as number)]);
      return { npm, base, exited, tree, output: () => output };
    }
    // Another test may take the free port between our look and the gateway's listen.
    if (attempt === 3 || !output.includes("EADDRINUSE"))
      throw new Error(`npm start did not listen:\n${output}`);
  }
}

const answers = (base: string) =>
  fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

/** Waits until nothing answers on the port and no process seen is running, or the time is up. */
async function everythingStopped(run: NpmStart, since: number) {
  for (;;) {
    const running = [...run.tree.values()].filter(stillRunning);
    const answering = await answers(run.base);
    if ((running.length === 0 && !answering) || Date.now() - since > STOP_WITHIN_MS)
      return { answering, running: running.map((one) => `${one.pid} ${one.args.join(" ")}`) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How npm exited, or "running" if it had not within the time a stop may take. */
const exitOf = (run: NpmStart) =>
  Promise.race([
    run.exited,
    new Promise<string>((resolve) => setTimeout(() => resolve("running"), STOP_WITHIN_MS)),
  ]);

async function untilCalled(registry: { callsTo(path: string): unknown[] }) {
  while (registry.callsTo("/executors").length === 0)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Signals npm alone mid-request: the request completes, npm exits 0, and nothing is left. */
async function stopsGracefully(signal: "SIGTERM" | "SIGINT", pathPrefix?: string) {
  const registry = await upstream({ "/executors": { delayMs: 1500, ...executorsReply("CODEX") } });
  const run = await npmStart(registry.url, pathPrefix);
  const pending = fetch(`${run.base}/api/chat-list`);
  await untilCalled(registry);
  record(run.tree, descendants(run.npm.pid as number));
  const signalled = Date.now();
  run.npm.kill(signal);
  const response = await pending;
  expect(response.status).toBe(200);
  expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(1);
  expect(await exitOf(run), run.output()).toEqual({ code: 0, signal: null });
  expect(await everythingStopped(run, signalled)).toEqual({ answering: false, running: [] });
  return run;
}

describe.skipIf(process.platform !== "linux")("npm start under a supervisor's signals", () => {
  it("finishes the request in flight, exits 0 and leaves nothing running on SIGTERM", async () => {
    const run = await stopsGracefully("SIGTERM");
    // On Node 22 npm runs one process, and that process is the gateway: compiled JavaScript,
    // no TypeScript loader, no launcher in between.
    const under = [...run.tree.values()].filter((one) => one.pid !== run.npm.pid);
    expect(under.map((one) => one.args.slice(1).join(" "))).toEqual(["scripts/start.mjs"]);
  }, 40_000);

  it("does the same on SIGINT: a graceful stop, exit 0", async () => {
    await stopsGracefully("SIGINT");
  }, 40_000);

  it("leaves nothing running when npm itself is killed with SIGKILL", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const run = await npmStart(registry.url);
    expect((await fetch(`${run.base}/api/chat-list`)).status).toBe(200);
    const signalled = Date.now();
    run.npm.kill("SIGKILL");
    expect(await exitOf(run)).toEqual({ code: null, signal: "SIGKILL" });
    expect(await everythingStopped(run, signalled)).toEqual({ answering: false, running: [] });
  }, 40_000);

  // The launcher's other path: on a node older than 22 it runs the gateway under a Node 22 it
  // fetched (once per machine: the first run downloads it, hence the longer timeout).
  const old = olderNode();
  const skipped = old === undefined ? " (no older node on this machine: skipped)" : "";
  it.skipIf(old === undefined)(
    `stops gracefully on SIGTERM when npm runs under an older node, as the launcher plus one process${skipped}`,
    async () => {
      const run = await stopsGracefully("SIGTERM", old?.dir);
      expect(run.output()).toContain(`Node ${old?.version} is older than 22`);
      const under = [...run.tree.values()].filter((one) => one.pid !== run.npm.pid);
      expect(under.map((one) => one.args.slice(1).join(" "))).toEqual([
        "scripts/start.mjs",
        expect.stringMatching(/dist\/node\/server\.mjs$/),
      ]);
    },
    90_000,
  );

  it.skipIf(old === undefined)(
    `has the gateway finish its request and stop when the launcher above it is killed${skipped}`,
    async () => {
      const registry = await upstream({
        "/executors": { delayMs: 1500, ...executorsReply("CODEX") },
      });
      const run = await npmStart(registry.url, old?.dir);
      const pending = fetch(`${run.base}/api/chat-list`);
      await untilCalled(registry);
      record(run.tree, descendants(run.npm.pid as number));
      const launcher = [...run.tree.values()].find((one) =>
        one.args.some((arg) => arg.endsWith("scripts/start.mjs")),
      );
      expect(
        launcher,
        [...run.tree.values()].map((one) => one.args.join(" ")).join("\n"),
      ).toBeDefined();
      const signalled = Date.now();
      process.kill((launcher as SeenProcess).pid, "SIGKILL");
      expect((await pending).status).toBe(200);
      expect(await everythingStopped(run, signalled)).toEqual({ answering: false, running: [] });
    },
    90_000,
  );
});

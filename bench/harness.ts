// Shared pieces of the benchmarks: loopback upstreams with set latencies, the gateway in its
// own process (Node or workerd), and autocannon in another.
import { type ChildProcess, execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "../scripts/build.mjs";
import { type Reply, startFakeUpstream } from "../test/support/fake-upstream.js";
import { freePort } from "../test/support/free-port.js";
import { endGroup, spawnGroup } from "../test/support/processes.js";

export const run = promisify(execFile);
export const QUICK = process.argv.includes("--quick");
export const SECONDS = QUICK ? 1 : 10;
export const ROOT = join(import.meta.dirname, "..");
const AUTOCANNON = join(ROOT, "node_modules/.bin/autocannon");
export const COOKIE = "psession=bench-user";

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
}

export async function autocannon(
  url: string,
  options: {
    connections: number;
    seconds?: number;
    amount?: number;
    cookie?: boolean;
    /** More request headers, name to value. */
    headers?: Record<string, string>;
    /** Requests per second over all connections (autocannon's -R): an offered load instead of
     * as many as the server can take. */
    rate?: number;
  },
): Promise<Load> {
  const args = ["-j", "-c", String(options.connections)];
  if (options.rate !== undefined) args.push("-R", String(options.rate));
  for (const [name, value] of Object.entries(options.headers ?? {}))
    args.push("-H", `${name}=${value}`);
  if (options.amount !== undefined) args.push("-a", String(options.amount));
  else args.push("-d", String(options.seconds ?? SECONDS));
  if (options.cookie !== false) args.push("-H", `cookie=${COOKIE}`);
  const { stdout } = await run(AUTOCANNON, [...args, url], { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
  };
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
  };
}

/** What bench/load-distinct.ts measured (latencies in ms). */
export interface DistinctLoad {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
}

/** `amount` requests at c=32, each for its own workspace_path (numbered from `offset`), by
 * bench/load-distinct.ts in a process of its own; with `cookie`, sent on every request. */
export async function loadDistinct(
  url: string,
  amount: number,
  offset: number,
  cookie?: string,
): Promise<DistinctLoad> {
  const args = [join(ROOT, "bench/load-distinct.ts"), url, String(amount), "32", String(offset)];
  if (cookie !== undefined) args.push(cookie);
  const { stdout } = await run(process.execPath, ["--import", "tsx", ...args], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as DistinctLoad;
}

/** Upstreams at the scenario latencies: portal 40 ms, executor registry 10 ms, agent store 25 ms. */
export async function upstreams(totalItems = 30) {
  const third = Math.max(1, Math.floor(totalItems / 3));
  const chats = Array.from({ length: third }, (_, i) => ({
    id: i + 1,
    chat_type: "group",
    name: `chat ${i}`,
  }));
  const portalRoutes: Record<string, Reply> = {
    "/v1/portal/chats": { delayMs: 40, json: chats },
    "/v1/users/me": { json: { id: 7, username: "bench" } },
  };
  for (const chat of chats)
    portalRoutes[`/v1/portal/chats/${chat.id}/history`] = {
      json: [{ id: `${1767225600000 + chat.id * 1000}-0`, type: "user", sender: { id: 8 } }],
    };
  const [portal, registry, store] = await Promise.all([
    startFakeUpstream(portalRoutes),
    startFakeUpstream({
      "/executors": {
        delayMs: 10,
        json: Array.from({ length: third }, (_, i) => ({
          type: `EXEC_${i}`,
          name: `Executor ${i}`,
          is_available: true,
          session_count: i,
          last_active: 1767225600000 + i,
        })),
      },
    }),
    startFakeUpstream({
      "/agents": {
        delayMs: 25,
        json: Array.from({ length: totalItems - 2 * third }, (_, i) => ({
          id: `agent-${i}`,
          name: `Agent ${i}`,
          is_global: true,
          session_count: 1,
          last_active: 1767225600000 - i,
        })),
      },
    }),
  ]);
  const all = [portal, registry, store];
  return {
    portal,
    registry,
    store,
    close: () => Promise.all(all.map((upstream) => upstream.close())),
  };
}
export type Upstreams = Awaited<ReturnType<typeof upstreams>>;

export function configFor(u: Upstreams, extra: Record<string, unknown> = {}) {
  return {
    sources: [
      {
        kind: "portal",
        name: "portal",
        baseUrl: u.portal.url,
        timeoutMs: 5000,
        history: {
          perMinute: 100_000,
          perUserPerMinute: 100_000,
          maxPerRequest: 1000,
          concurrency: 16,
        },
      },
      { kind: "executor_registry", name: "executors", baseUrl: u.registry.url, timeoutMs: 5000 },
      { kind: "agent_store", name: "agents", baseUrl: u.store.url, timeoutMs: 5000 },
    ],
    deadlineMs: 10_000,
    rateLimit: { perMinute: 0 },
    ...extra,
  };
}

export interface Gateway {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The URL a child prints once it listens. Its output is read only until then: the request log
 * that follows is drained unread (`resume`), since matching a growing string against every new
 * chunk made this process, which also serves the upstreams, compete with the gateway for CPU.
 */
export function waitForUrl(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const stop = () => {
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const onData = (chunk: Buffer) => {
      output = (output + chunk).slice(-8192);
      const match = pattern.exec(output);
      if (!match?.[1]) return;
      stop();
      resolve(match[1]);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`exited ${code}: ${output.slice(-2000)}`));
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", onExit);
  });
}

export interface NodeGatewayOptions {
  cpuProfile?: string;
  exposeGc?: boolean;
  /** The Node entry's metrics on (see bench/gateway-process.ts). */
  instrumented?: boolean;
  /** Another checkout's bench/gateway-process.ts (an older commit, for a before/after). */
  root?: string;
}

export async function nodeGateway(
  config: unknown,
  options: NodeGatewayOptions = {},
): Promise<Gateway> {
  const flags = [
    ...(options.cpuProfile === undefined
      ? []
      : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfile}`]),
    ...(options.exposeGc ? ["--expose-gc"] : []),
  ];
  // Its own process group, ended whole (also if the benchmark throws before stop()).
  const child = spawnGroup(
    process.execPath,
    [...flags, "--import", "tsx", join(options.root ?? ROOT, "bench/gateway-process.ts")],
    {
      env: {
        ...process.env,
        BENCH_CONFIG_JSON: JSON.stringify(config),
        BENCH_INSTRUMENTATION: options.instrumented ? "on" : "off",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const url = await waitForUrl(child, /listening (\S+)/);
  return {
    url,
    pid: child.pid as number,
    // A generous grace: with --cpu-prof the profile is written as the process exits.
    stop: () => endGroup(child.pid as number, { graceMs: 15_000 }),
  };
}

/** The environment the gateway runs in here: `config`, a free loopback port, read markers in
 * SQLite under `state`. */
export function gatewayEnv(config: unknown, state: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CHAT_LIST_CONFIG: "",
    CHAT_LIST_CONFIG_JSON: JSON.stringify(config),
    PORT: "0",
    HOST: "127.0.0.1",
    XDG_STATE_HOME: state,
  };
}

/**
 * The gateway as `npm start` runs it: the built dist/node/server.mjs in plain Node, its request
 * log written to a pipe this process drains, read markers in SQLite under a temporary
 * XDG_STATE_HOME. Every behaviour on, as a user would have it.
 */
export async function builtGateway(
  config: unknown,
  options: {
    env?: Record<string, string>;
    nodeFlags?: string[];
    /** Another checkout (an older commit, for a before/after): its own build, run the same way. */
    root?: string;
  } = {},
): Promise<Gateway> {
  const root = options.root ?? ROOT;
  if (options.root === undefined) await build();
  else await run(process.execPath, [join(root, "scripts/build.mjs")]);
  const state = mkdtempSync(join(tmpdir(), "chat-list-bench-state-"));
  const child = spawnGroup(
    process.execPath,
    [...(options.nodeFlags ?? []), join(root, "dist/node/server.mjs")],
    { env: { ...gatewayEnv(config, state), ...options.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const url = await waitForUrl(child, /list: (http:\/\/\S+)\/api\/chat-list/);
  child.stdout?.resume(); // the request log goes on being written, and read
  return {
    url,
    pid: child.pid as number,
    // A generous grace: with --cpu-prof the profile is written as the process exits.
    stop: async () => {
      await endGroup(child.pid as number, { graceMs: 15_000 });
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** A bare Hono app in its own process answering every GET with `body` (the ceiling); with
 * `headers`, sending those headers too, as a plain object (the cheapest way through Hono). */
export async function bareServer(
  body: Uint8Array,
  headers?: Record<string, string>,
  status = 200,
  nodeFlags: readonly string[] = [],
): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), "chat-list-bench-bare-"));
  const file = join(dir, "body.json");
  writeFileSync(file, body);
  const child = spawnGroup(process.execPath, [...nodeFlags, join(ROOT, "bench/bare-server.mjs")], {
    env: {
      ...process.env,
      BARE_BODY_FILE: file,
      BARE_STATUS: String(status),
      ...(headers === undefined ? {} : { BARE_HEADERS_JSON: JSON.stringify(headers) }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await waitForUrl(child, /listening (\S+)/);
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      await endGroup(child.pid as number);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** bench/minimal-proxy.mjs in its own process, fanning out to `upstreamUrls` on every request:
 * the floor under the gateway's cold overhead. */
export async function minimalProxy(upstreamUrls: readonly string[]): Promise<Gateway> {
  const child = spawnGroup(
    process.execPath,
    [join(ROOT, "bench/minimal-proxy.mjs"), ...upstreamUrls],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const url = await waitForUrl(child, /listening (\S+)/);
  return { url, pid: child.pid as number, stop: () => endGroup(child.pid as number) };
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const COMPATIBILITY_DATE =
  /compatibility_date\s*=\s*"([^"]+)"/.exec(
    readFileSync(join(ROOT, "wrangler.toml"), "utf8"),
  )?.[1] ?? "2026-01-01";

/**
 * workerd itself (the binary wrangler pins) serving one Worker on a free loopback port, from a
 * Cap'n Proto config written into `dir` beside the Worker's module: no wrangler dev in front
 * (its proxy Worker, dev registry and inspector forwarding cost more per request than either
 * Worker measured). console.log lines are written to workerd's stdout as JSON (structured
 * logging), as a log collector would take them, and drained here. Ready once `probe` answers.
 */
async function workerdServe(dir: string, worker: string, probe: string): Promise<Gateway> {
  const port = await freePort();
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Upstreams are on loopback: the Worker's fetch may reach local addresses here.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
  structuredLogging = true,
);
${worker}
`,
  );
  const child = spawnGroup(
    join(ROOT, "node_modules/workerd/bin/workerd"),
    ["serve", join(dir, "config.capnp")],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.resume();
  child.stderr?.resume();
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 120; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await fetch(`${url}${probe}`).catch(() => null))?.ok) break;
  }
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      await endGroup(child.pid as number);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The gateway's Worker as `wrangler deploy` bundles it (this checkout's wrangler.toml), in
 * workerd with its READ_STATE Durable Objects (in memory) and `config` as its binding. */
export async function workerdGateway(config: unknown): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), "chat-list-bench-worker-"));
  await run(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", dir], {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return workerdServe(
    dir,
    `const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [
    (name = "CHAT_LIST_CONFIG_JSON", text = embed "config.json"),
    (name = "READ_STATE", durableObjectNamespace = "ReadStateObject"),
  ],
  durableObjectNamespaces = [
    (className = "ReadStateObject", uniqueKey = "chat-list-read-state", enableSql = true),
  ],
  durableObjectStorage = (inMemory = void),
  globalOutbound = "internet",
);`,
    "/healthz",
  );
}

/** The Worker ceiling: a bare Worker — no framework, one fetch handler — in workerd the same
 * way, answering every request with `body` as application/json; with `headers`, sending those
 * headers instead, and with `logLine`, writing that line (console.log) for every request, as
 * the gateway writes its request log. */
export async function bareWorker(
  body: string,
  options: { headers?: Record<string, string>; logLine?: string } = {},
): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), "chat-list-bench-bare-worker-"));
  const headers = options.headers ?? { "content-type": "application/json" };
  const log =
    options.logLine === undefined ? "" : `console.log(${JSON.stringify(options.logLine)}); `;
  writeFileSync(
    join(dir, "worker.mjs"),
    `const body = ${JSON.stringify(body)};\n` +
      `const init = { headers: ${JSON.stringify(headers)} };\n` +
      `export default { fetch() { ${log}return new Response(body, init); } };\n`,
  );
  return workerdServe(
    dir,
    `const worker :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
);`,
    "/",
  );
}

export const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
export const listCalls = (u: Upstreams) => ({
  portal: u.portal.callsTo("/v1/portal/chats").length,
  executors: u.registry.callsTo("/executors").length,
  agents: u.store.callsTo("/agents").length,
});

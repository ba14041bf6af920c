// npm run bench:profile: CPU profiles (node --cpu-prof) of the gateway in the two scenarios whose
// targets bench/RESULTS.md shows missed — every request going upstream (overhead), and every
// request served from cache (warm vs ceiling) — summarized into bench/PROFILE.md. The raw
// .cpuprofile files are left in bench/profiles/ (not committed) for Chrome DevTools.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openOwnFeeds } from "./feed-refresh.js";
import {
  autocannon,
  builtGateway,
  COOKIE,
  configFor,
  type Gateway,
  ROOT,
  run,
  upstreams,
} from "./harness.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self and inclusive shares of busy (non-idle) time, by function. */
function summarize(file: string, top: number, skipMs = 0): string[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (node: ProfileNode) => {
    const url = node.callFrame.url.replace(/^file:\/\//, "");
    // Dependencies by package path; the gateway's own files from src/ or dist/ of either checkout.
    const where = url.includes("node_modules/")
      ? url.replace(/.*node_modules\//, "")
      : url.replace(/.*\/(dist|src)\//, "$1/");
    return `${node.callFrame.functionName || "(anonymous)"} ${where}:${node.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let at = 0;
  profile.samples.forEach((id, index) => {
    const time = profile.timeDeltas[index] ?? 0;
    at += time;
    // Samples before `skipMs` (µs in the profile) belong to what set the scenario up.
    if (at < skipMs * 1000) return;
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === "(idle)") return;
    busy += time;
    self.set(label(node), (self.get(label(node)) ?? 0) + time);
    const seen = new Set<string>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const name = label(byId.get(current) as ProfileNode);
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + time);
      seen.add(name);
    }
  });
  const share = (time: number) => `${((time / busy) * 100).toFixed(1)}%`;
  const rows = (map: Map<string, number>, filter: (name: string) => boolean) =>
    [...map]
      .filter(([name]) => filter(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `| ${share(time)} | \`${name}\` |`);
  return [
    "Top self time (share of busy time):",
    "",
    "| self | function |",
    "|---|---|",
    ...rows(self, () => true),
    "",
    "Inclusive time of the gateway's own code and its framework layers:",
    "",
    "| inclusive | function |",
    "|---|---|",
    ...rows(inclusive, (name) => /src\/|dist\/node\/|hono\/dist|node-server/.test(name)),
    "",
  ];
}

const outDir = join(ROOT, "bench/profiles");
rmSync(outDir, { recursive: true, force: true });
const sections: string[] = [
  `# CPU profiles (${new Date().toISOString()}, Node ${process.version})`,
  "",
];
const path = "/api/chat-list?workspace_path=/bench/project";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Load at `connections` for 5 s; with `revalidate`, every request sends the list's ETag. */
const requests =
  (connections: number, revalidate = false) =>
  async (gw: Gateway) => {
    const first = await fetch(`${gw.url}${path}`, { headers: { cookie: COOKIE } });
    await first.arrayBuffer();
    const etag = first.headers.get("etag") ?? "";
    const load = await autocannon(`${gw.url}${path}`, {
      connections,
      seconds: 5,
      ...(revalidate ? { headers: { "if-none-match": etag } } : {}),
    });
    return `${load.requests} requests, ${Math.round(load.rps)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms.`;
  };
const scenarios: Array<{
  name: string;
  config: Record<string, unknown>;
  /** Drives the load; `skipMs`: how long from the gateway's start its profile is left out. */
  drive: (
    gw: Gateway,
    sinceStart: () => number,
  ) => Promise<string | { summary: string; skipMs: number }>;
}> = [
  {
    name: "overhead: every request goes upstream (no cache), c=1",
    config: { cache: { ttlMs: 0, staleIfErrorMs: 0 } },
    drive: requests(1),
  },
  {
    name: "warm: every request served from cache, c=32",
    config: { cache: { ttlMs: 600_000, staleIfErrorMs: 0 } },
    drive: requests(32),
  },
  {
    name: "revalidation: every request sends the ETag back and gets a 304, c=32",
    config: { cache: { ttlMs: 600_000, staleIfErrorMs: 0 } },
    drive: requests(32, true),
  },
  {
    name: "feed refresh: 1,000 callers each streaming its own workspace, refreshMs 5 s, cached sources",
    config: {
      cache: { ttlMs: 600_000, staleIfErrorMs: 0, maxEntries: 50_000 },
      live: { refreshMs: 5000, maxStreams: 1010, maxStreamsPerAddress: 1010 },
    },
    drive: async (gw, sinceStart) => {
      const origin = new URL(gw.url);
      const streams = await openOwnFeeds(origin, 1000);
      // The profile counts from the first loop on (the gateway started before sinceStart's
      // zero, so the window left out is, if anything, longer than this): 4 rounds of refreshes.
      const skipMs = sinceStart() + 6000;
      await sleep(26_000);
      for (const stream of streams) stream.socket.destroy();
      return {
        summary:
          "1,000 streams, each its own feed; the profile of the 20 s after their first loop (about 4,000 refreshes), the opening loads left out.",
        skipMs,
      };
    },
  },
];
const chosenAt = process.argv.indexOf("--only");
const chosen =
  chosenAt === -1
    ? scenarios
    : scenarios.filter((scenario) =>
        (process.argv[chosenAt + 1] ?? "")
          .split(",")
          .some((word) => scenario.name.startsWith(word)),
      );
// `--before DIR`: the same profiles of another checkout's build too, section by section.
const beforeAt = process.argv.indexOf("--before");
const roots: Array<{ label: string; root?: string }> = [{ label: "this checkout" }];
if (beforeAt !== -1) {
  const before = process.argv[beforeAt + 1] as string;
  roots.unshift({ label: "before", root: before });
  const commit = await run("git", ["-C", before, "rev-parse", "--short", "HEAD"]).then(
    (result) => result.stdout.trim(),
    () => "?",
  );
  sections.push(
    `Each scenario twice, one after the other under the same load: **before** is the build of \`${before}\` (commit ${commit}), **this checkout** the build of this one. Where the time goes, not how fast: the profiler slows both, so compare throughput with \`npm run bench:warm -- --before DIR\`.`,
    "",
  );
}
for (const [index, [scenario, target]] of chosen
  .flatMap((each) => roots.map((root) => [each, root] as const))
  .entries()) {
  const dir = join(outDir, String(index));
  mkdirSync(dir, { recursive: true });
  const u = await upstreams();
  // The built gateway as npm start runs it (bundled: its own code shows as dist/node/server.mjs).
  const gw = await builtGateway(configFor(u, scenario.config), {
    // Sampled every 100 µs, not every 1 ms: at c=1 a request's work is about a millisecond
    // right after an upstream timer, and 1 ms samples land in step with it.
    nodeFlags: ["--cpu-prof", "--cpu-prof-interval=100", `--cpu-prof-dir=${dir}`],
    ...(target.root === undefined ? {} : { root: target.root }),
  });
  const started = performance.now();
  const driven = await scenario.drive(gw, () => performance.now() - started);
  const { summary, skipMs } = typeof driven === "string" ? { summary: driven, skipMs: 0 } : driven;
  // Stopped at once after the window (a later stop would add idle time, not busy time).
  await gw.stop();
  await u.close();
  const file = readdirSync(dir)
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  sections.push(
    `## ${scenario.name}${roots.length > 1 ? ` — ${target.label}` : ""}`,
    "",
    summary,
    "",
  );
  sections.push(...(file === undefined ? ["(no profile written)"] : summarize(file, 15, skipMs)));
}
// `--out FILE`: written there instead of bench/PROFILE.md.
const outAt = process.argv.indexOf("--out");
writeFileSync(
  outAt === -1 ? join(ROOT, "bench/PROFILE.md") : (process.argv[outAt + 1] as string),
  `${sections.join("\n")}\n`,
);
console.log(sections.join("\n"));

// npm run bench:profile: CPU profiles (node --cpu-prof) of the gateway in the two scenarios whose
// targets bench/RESULTS.md shows missed — every request going upstream (overhead), and every
// request served from cache (warm vs ceiling) — summarized into bench/PROFILE.md. The raw
// .cpuprofile files are left in bench/profiles/ (not committed) for Chrome DevTools.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { autocannon, builtGateway, COOKIE, configFor, ROOT, run, upstreams } from "./harness.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self and inclusive shares of busy (non-idle) time, by function. */
function summarize(file: string, top: number): string[] {
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
  profile.samples.forEach((id, index) => {
    const time = profile.timeDeltas[index] ?? 0;
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
const scenarios = [
  {
    name: "overhead: every request goes upstream (no cache), c=1",
    cache: { ttlMs: 0, staleIfErrorMs: 0 },
    connections: 1,
  },
  {
    name: "warm: every request served from cache, c=32",
    cache: { ttlMs: 600_000, staleIfErrorMs: 0 },
    connections: 32,
  },
];
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
for (const [index, [scenario, target]] of scenarios
  .flatMap((each) => roots.map((root) => [each, root] as const))
  .entries()) {
  const dir = join(outDir, String(index));
  mkdirSync(dir, { recursive: true });
  const u = await upstreams();
  // The built gateway as npm start runs it (bundled: its own code shows as dist/node/server.mjs).
  const gw = await builtGateway(configFor(u, { cache: scenario.cache }), {
    // Sampled every 100 µs, not every 1 ms: at c=1 a request's work is about a millisecond
    // right after an upstream timer, and 1 ms samples land in step with it.
    nodeFlags: ["--cpu-prof", "--cpu-prof-interval=100", `--cpu-prof-dir=${dir}`],
    ...(target.root === undefined ? {} : { root: target.root }),
  });
  const path = "/api/chat-list?workspace_path=/bench/project";
  await fetch(`${gw.url}${path}`, { headers: { cookie: COOKIE } });
  const load = await autocannon(`${gw.url}${path}`, {
    connections: scenario.connections,
    seconds: 5,
  });
  await gw.stop();
  await u.close();
  const file = readdirSync(dir)
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  sections.push(
    `## ${scenario.name}${roots.length > 1 ? ` — ${target.label}` : ""}`,
    "",
    `${load.requests} requests, ${Math.round(load.rps)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms.`,
    "",
  );
  sections.push(...(file === undefined ? ["(no profile written)"] : summarize(file, 15)));
}
writeFileSync(join(ROOT, "bench/PROFILE.md"), `${sections.join("\n")}\n`);
console.log(sections.join("\n"));

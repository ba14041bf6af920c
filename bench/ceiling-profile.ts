// npm run bench:ceiling-profile [-- --revalidate] [--seconds N]: where the gateway's CPU per
// cached request goes beyond its ceiling's. The built gateway (as `npm start` runs it) and the
// bare Hono route sending the same bytes and headers (bench/bare-server.mjs) are each profiled
// (node --cpu-prof, sampled every 50 µs) under the same load, one after the other; only the
// samples of the measured window count (start-up and warm-up left out). Self time is grouped by
// layer and divided by each server's request count: microseconds of CPU per request, layer by
// layer, side by side. The profiler slows both; the difference is what to read.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  autocannon,
  bareServer,
  builtGateway,
  COOKIE,
  configFor,
  type Gateway,
  round,
  upstreams,
} from "./harness.js";
import { cpuSeconds } from "./instrumentation.js";
import { NODE_OWN } from "./warm-scenario.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

/** The layer a sample's function belongs to. */
function layerOf(node: ProfileNode): string {
  const { functionName: name, url } = node.callFrame;
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(program)") return "(program): V8 outside any JS function";
  if (url === "") return `native: ${name}`;
  if (url.includes("dist/node/server.mjs")) return "the gateway's own code";
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return `package: ${dep[1]}`;
  if (/node:_http|node:http/.test(url)) return "node: http";
  if (/node:net|stream_base_commons|node:internal\/streams|node:stream/.test(url))
    return "node: net and streams";
  if (url.startsWith("node:")) return `node: ${url.replace(/^node:(internal\/)?/, "")}`;
  return url.replace(/^file:\/\//, "");
}

/** Self time (µs) by layer and, for the gateway's code, by function, of the samples taken
 * after `fromUs` (µs since the profile started). */
function selfTimes(profile: Profile, fromUs: number) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const layers = new Map<string, number>();
  const functions = new Map<string, number>();
  let at = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < fromUs) return;
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === "(idle)") return;
    const layer = layerOf(node);
    layers.set(layer, (layers.get(layer) ?? 0) + delta);
    if (layer === "the gateway's own code") {
      const name = `${node.callFrame.functionName || "(anonymous)"}:${node.callFrame.lineNumber + 1}`;
      functions.set(name, (functions.get(name) ?? 0) + delta);
    }
  });
  return { layers, functions };
}

const revalidate = process.argv.includes("--revalidate");
const secondsAt = process.argv.indexOf("--seconds");
const seconds = secondsAt === -1 ? 5 : Number(process.argv[secondsAt + 1]);
// `--rate N`: N requests a second offered to each server instead of as many as it can take.
const rateAt = process.argv.indexOf("--rate");
const rate = rateAt === -1 ? undefined : Number(process.argv[rateAt + 1]);
const listPath = "/api/chat-list?workspace_path=/bench/project";
// `--plain`: no profiler, only the CPU per request from /proc.
const plain = process.argv.includes("--plain");
const flagsFor = (dir: string) =>
  plain ? [] : ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "50"];

const u = await upstreams();
const gatewayDir = mkdtempSync(join(tmpdir(), "chat-list-prof-gateway-"));
const bareDir = mkdtempSync(join(tmpdir(), "chat-list-prof-bare-"));
let stopped = false;
const servers: Array<{ server: Gateway; dir: string; startedAt: number; label: string }> = [];
try {
  let startedAt = Date.now();
  const gw = await builtGateway(configFor(u, { cache: { ttlMs: 600_000, staleIfErrorMs: 0 } }), {
    nodeFlags: flagsFor(gatewayDir),
  });
  servers.push({ server: gw, dir: gatewayDir, startedAt, label: "gateway" });
  const first = await fetch(`${gw.url}${listPath}`, { headers: { cookie: COOKIE } });
  await first.arrayBuffer();
  const etag = first.headers.get("etag") ?? "";
  const extra = revalidate ? { "if-none-match": etag } : undefined;
  const captured = await fetch(`${gw.url}${listPath}`, {
    headers: { cookie: COOKIE, ...extra },
  });
  const body = new Uint8Array(await captured.arrayBuffer());
  const sent = Object.fromEntries([...captured.headers].filter(([name]) => !NODE_OWN.has(name)));
  startedAt = Date.now();
  const bare = await bareServer(body, sent, captured.status, flagsFor(bareDir));
  servers.push({ server: bare, dir: bareDir, startedAt, label: "ceiling" });

  const rows: Array<{ label: string; requests: number; cpuUs: number; fromUs: number }> = [];
  for (const { server, startedAt: began, label } of servers) {
    const url = `${server.url}${listPath}`;
    await autocannon(url, { connections: 32, seconds: 2, ...(extra ? { headers: extra } : {}) });
    // The profile's clock starts as the process does; everything before this is left out.
    const fromUs = (Date.now() - began) * 1000;
    const cpuBefore = cpuSeconds(server.pid);
    const load = await autocannon(url, {
      connections: 32,
      seconds,
      ...(extra ? { headers: extra } : {}),
      ...(rate === undefined ? {} : { rate }),
    });
    const expected = revalidate ? load.requests : 0;
    if (load.non2xx !== expected) throw new Error(`${label}: ${load.non2xx} non-2xx answers`);
    rows.push({
      label,
      requests: load.requests,
      cpuUs: ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / load.requests,
      fromUs,
    });
  }
  // Stopped before reading: a profile is written as its process exits.
  for (const { server } of servers) await server.stop();
  stopped = true;
  if (plain) {
    const [ours, theirs] = rows as [(typeof rows)[number], (typeof rows)[number]];
    console.log(
      `${revalidate ? "304 revalidation" : "warm list"}, c=32${rate === undefined ? "" : `, ${rate} req/s offered`}: CPU per request gateway ${round(ours.cpuUs, 1)} µs (${ours.requests} requests), ceiling ${round(theirs.cpuUs, 1)} µs (${theirs.requests}): ${round(ours.cpuUs / theirs.cpuUs)}×`,
    );
    process.exit(0);
  }
  const profileOf = (dir: string) => {
    const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
    if (file === undefined) throw new Error(`no profile in ${dir}`);
    return JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile;
  };
  const [ours, theirs] = rows.map((row, index) => {
    const times = selfTimes(
      profileOf((servers[index] as (typeof servers)[number]).dir),
      row.fromUs,
    );
    // Samples after the measured window (the other server's load, the stop) are nearly all idle.
    return { ...row, ...times };
  }) as [
    (typeof rows)[number] & ReturnType<typeof selfTimes>,
    (typeof rows)[number] & ReturnType<typeof selfTimes>,
  ];
  const perRequest = (value: number | undefined, requests: number) =>
    round((value ?? 0) / requests, 1);
  const names = new Set([...ours.layers.keys(), ...theirs.layers.keys()]);
  const table = [...names]
    .map((name) => ({
      name,
      gateway: perRequest(ours.layers.get(name), ours.requests),
      ceiling: perRequest(theirs.layers.get(name), theirs.requests),
    }))
    .map((row) => ({ ...row, difference: round(row.gateway - row.ceiling, 1) }))
    .filter((row) => row.gateway >= 0.2 || row.ceiling >= 0.2)
    .sort((a, b) => b.difference - a.difference);
  const sum = (map: Map<string, number>, requests: number) =>
    perRequest(
      [...map.values()].reduce((a, b) => a + b, 0),
      requests,
    );
  console.log(
    `${revalidate ? "304 revalidation" : "warm list"}, c=32${rate === undefined ? "" : `, ${rate} req/s offered`}, ${seconds} s each, profiled (50 µs):`,
  );
  console.log(
    `  CPU per request from /proc: gateway ${round(ours.cpuUs, 1)} µs (${ours.requests} requests), ceiling ${round(theirs.cpuUs, 1)} µs (${theirs.requests}); sampled busy time: ${sum(ours.layers, ours.requests)} / ${sum(theirs.layers, theirs.requests)} µs`,
  );
  console.log("\n| self time by layer, µs per request | gateway | ceiling | difference |");
  console.log("|---|---|---|---|");
  for (const row of table)
    console.log(`| ${row.name} | ${row.gateway} | ${row.ceiling} | ${row.difference} |`);
  console.log("\n| the gateway's own functions, self µs per request | |");
  console.log("|---|---|");
  for (const [name, time] of [...ours.functions].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`| \`${name}\` | ${perRequest(time, ours.requests)} |`);
} finally {
  if (!stopped)
    await Promise.all(servers.map(({ server }) => server.stop().catch(() => undefined)));
  await u.close();
  rmSync(gatewayDir, { recursive: true, force: true });
  rmSync(bareDir, { recursive: true, force: true });
}

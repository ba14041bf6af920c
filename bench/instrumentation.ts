// Scenario 3b: what issue 14's instrumentation costs the warm path with no OTLP endpoint set.
// Two gateways on the same upstreams, one with the Node entry's metrics and one without, run
// one after the other in interleaved pairs (the order alternating, so drift on a shared machine
// falls on both); the figure is the median of the pairs' ratios. `--before DIR` adds a third
// gateway from another checkout (e.g. `git archive` of the commit before the issue, with this
// node_modules linked in), measured in the same pairs: the code as it was, not only a flag.
// Besides requests per second, each run reports the gateway's own CPU time per request (from
// /proc). inProcessScenario below compares the same variants without sockets.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseConfig } from "../src/config/load.js";
import type { Config } from "../src/config/schema.js";
import { createApp } from "../src/http/app.js";
import { createPrometheusMetrics } from "../src/runtime/node/prometheus-metrics.js";
import type { FetchLike } from "../src/upstream/http-client.js";
import {
  autocannon,
  COOKIE,
  configFor,
  type Gateway,
  nodeGateway,
  QUICK,
  round,
  run,
  upstreams,
} from "./harness.js";

const listPath = "/api/chat-list?workspace_path=/bench/project";
const longCache = { cache: { ttlMs: 600_000, staleIfErrorMs: 0 } };

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** User plus system CPU seconds the process has used (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export async function instrumentationScenario(options: { pairs?: number; before?: string } = {}) {
  const pairs = options.pairs ?? (QUICK ? 2 : 5);
  const u = await upstreams();
  const config = configFor(u, longCache);
  const gateways: Record<string, Gateway> = {
    off: await nodeGateway(config),
    on: await nodeGateway(config, { instrumented: true }),
    ...(options.before === undefined
      ? {}
      : { before: await nodeGateway(config, { root: options.before }) }),
  };
  const names = Object.keys(gateways);
  const rps: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const cpuUs: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (const gw of Object.values(gateways))
    await fetch(`${gw.url}${listPath}`, { headers: { cookie: COOKIE } }); // warm the cache
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const gw = gateways[name] as Gateway;
      const cpuBefore = cpuSeconds(gw.pid);
      const load = await autocannon(`${gw.url}${listPath}`, { connections: 32 });
      if (load.non2xx > 0) throw new Error(`${name}: ${load.non2xx} non-2xx answers`);
      rps[name]?.push(round(load.rps, 0));
      cpuUs[name]?.push(round(((cpuSeconds(gw.pid) - cpuBefore) * 1e6) / load.requests, 1));
    }
  }
  await Promise.all(Object.values(gateways).map((gw) => gw.stop()));
  await u.close();
  // Each pair's ratio: its two runs were next to each other in time.
  const against = (figures: Record<string, number[]>, name: string, base: string) => {
    const ratios = (figures[name] ?? []).map((value, index) =>
      round(value / ((figures[base] ?? [])[index] ?? Number.NaN), 3),
    );
    return { ratios, median: round(median(ratios), 3) };
  };
  const compare = (name: string, base: string) => ({
    rps: against(rps, name, base),
    cpu_us_per_request: against(cpuUs, name, base),
  });
  return {
    pairs,
    rps,
    cpu_us_per_request: cpuUs,
    on_vs_off: compare("on", "off"),
    ...(rps.before === undefined
      ? {}
      : { on_vs_before: compare("on", "before"), off_vs_before: compare("off", "before") }),
  };
}

/** One variant's app, alone in this process: `before` from another checkout's source. */
async function variantApp(variant: string, before: string | undefined, config: Config) {
  const fetch: FetchLike = (url, init) => globalThis.fetch(url, init);
  if (variant === "before") {
    const old = (await import(`${before}/src/http/app.ts`)) as typeof import("../src/http/app.js");
    return old.createApp({ config, fetch });
  }
  return createApp({
    config,
    fetch,
    ...(variant === "on" ? { metrics: createPrometheusMetrics() } : {}),
  });
}

/** A child's part of inProcessScenario: median microseconds per warm request of one variant. */
async function timeVariant(variant: string, before: string | undefined, blocks: number) {
  const u = await upstreams();
  const app = await variantApp(variant, before, parseConfig(configFor(u, longCache)));
  const init = { headers: { cookie: COOKIE } };
  const ask = async () => {
    const response = await app.request(listPath, init);
    if (response.status !== 200) throw new Error(`${variant}: HTTP ${response.status}`);
    await response.text();
  };
  for (let i = 0; i < 3000; i++) await ask(); // the cache filled, the code paths compiled
  const times: number[] = [];
  for (let block = 0; block < blocks; block++) {
    const started = performance.now();
    for (let i = 0; i < 500; i++) await ask();
    times.push(((performance.now() - started) * 1000) / 500);
  }
  await u.close();
  return median(times);
}

/**
 * The same comparison without sockets: each variant answers the warm list through
 * `app.request` alone in a child process of its own (so no variant's code shapes another's
 * compiled code), the children run one after another in alternating order, and the figure is
 * each variant's median over its runs of the median microseconds per request. The HTTP stack
 * and autocannon are left out: what remains is the code the instrumentation touches.
 */
export async function inProcessScenario(options: { before?: string; runs?: number } = {}) {
  const runs = options.runs ?? (QUICK ? 2 : 5);
  const names = ["off", "on", ...(options.before === undefined ? [] : ["before"])];
  const us: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round_ = 0; round_ < runs; round_++) {
    for (const name of round_ % 2 === 0 ? names : [...names].reverse()) {
      const args = ["--import", "tsx", import.meta.filename, "--child", name];
      if (options.before !== undefined) args.push("--before", options.before);
      if (QUICK) args.push("--quick");
      const { stdout } = await run(process.execPath, args, { maxBuffer: 1024 * 1024 });
      us[name]?.push(round(Number(stdout.trim()), 1));
    }
  }
  const med = Object.fromEntries(names.map((name) => [name, round(median(us[name] ?? []), 1)]));
  return {
    runs,
    us_per_request: us,
    median_us_per_request: med,
    on_vs_off: round((med.on ?? 0) / (med.off ?? 1), 3),
    ...(med.before === undefined
      ? {}
      : {
          on_vs_before: round((med.on ?? 0) / med.before, 3),
          off_vs_before: round((med.off ?? 0) / med.before, 3),
        }),
  };
}

const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const child = argument("--child");
if (import.meta.url === `file://${process.argv[1]}` && child !== undefined) {
  console.log(await timeVariant(child, argument("--before"), QUICK ? 10 : 40));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const before = argument("--before");
  console.log(
    JSON.stringify(
      {
        in_process: await inProcessScenario(before === undefined ? {} : { before }),
        over_http: await instrumentationScenario(before === undefined ? {} : { before }),
      },
      null,
      2,
    ),
  );
}

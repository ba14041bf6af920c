// npm run bench [-- --quick]: how close the gateway gets to the physical limit of a BFF — zero
// added time, one upstream call per source per cache window — measured side by side in one run.
// Upstreams are loopback servers with set latencies (this process); the gateway runs in its own
// process (bench/gateway-process.ts, or workerd itself); the load generator is
// autocannon in a third. Writes bench/results.json and appends a table to bench/RESULTS.md.
import { appendFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { build } from "../scripts/build.mjs";
import type { FakeUpstream } from "../test/support/fake-upstream.js";
import { feedRefreshScenario } from "./feed-refresh.js";
import {
  autocannon,
  bareWorker,
  builtGateway,
  COOKIE,
  configFor,
  listCalls,
  loadDistinct,
  median,
  minimalProxy,
  nodeGateway,
  QUICK,
  ROOT,
  round,
  rssMiB,
  run,
  SECONDS,
  upstreams,
  workerdGateway,
} from "./harness.js";
import { inProcessScenario, instrumentationScenario } from "./instrumentation.js";
import { liveLatencyScenario } from "./live-latency.js";
import { startupScenario } from "./startup.js";
import { streamsScenario } from "./streams.js";
import { warmScenario } from "./warm-scenario.js";

const results: Record<string, unknown> = {};
// `--only a,b` runs those scenarios alone (the names are the keys of results.json) and prints
// their results without writing bench/results.json or bench/RESULTS.md.
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt === -1 ? null : new Set((process.argv[onlyAt + 1] ?? "").split(","));
const wanted = (name: string) => only === null || only.has(name);
const noCache = { cache: { ttlMs: 0, staleIfErrorMs: 0 } };
const longCache = { cache: { ttlMs: 600_000, staleIfErrorMs: 0 } };
const listPath = "/api/chat-list?workspace_path=/bench/project";

// 1 and 2. Overhead and parallelism: every request goes to all three upstreams (no cache),
// through the built gateway as `npm start` runs it (request log, metrics, read state in SQLite).
if (wanted("overhead")) {
  const u = await upstreams();
  const gw = await builtGateway(configFor(u, noCache));
  await fetch(`${gw.url}${listPath}`, { headers: { cookie: COOKIE } }); // history cache filled
  const overhead: Record<string, unknown> = {};
  for (const connections of [1, 32]) {
    const gateway = await autocannon(`${gw.url}${listPath}`, { connections });
    const slowest = await autocannon(`${u.portal.url}/v1/portal/chats`, { connections });
    overhead[`c${connections}`] = {
      gateway,
      slowest_upstream: slowest,
      added_p50_ms: round(gateway.p50 - slowest.p50),
      added_p99_ms: round(gateway.p99 - slowest.p99),
      p50_vs_slowest: round(gateway.p50 / slowest.p50),
    };
  }
  // c=1 again at 0.01 ms resolution (autocannon's is 1 ms): sequential requests to the gateway,
  // to a minimal proxy calling the same three upstreams (the floor any gateway pays for its hops
  // and fan-out), and to the slowest upstream alone, alternating in blocks (bench/sequential.ts).
  const floor = await minimalProxy([
    `${u.portal.url}/v1/portal/chats`,
    `${u.registry.url}/executors`,
    `${u.store.url}/agents`,
  ]);
  const precise = JSON.parse(
    (
      await run(
        process.execPath,
        [
          "--import",
          "tsx",
          join(ROOT, "bench/sequential.ts"),
          QUICK ? "100" : "600",
          COOKIE,
          `gateway=${gw.url}${listPath}`,
          `minimal_proxy=${floor.url}/`,
          `upstream=${u.portal.url}/v1/portal/chats`,
        ],
        { maxBuffer: 1024 * 1024 },
      )
    ).stdout,
  ) as {
    requests: number;
    gateway: { p50: number; p99: number };
    minimal_proxy: { p50: number; p99: number };
    upstream: { p50: number; p99: number };
  };
  await floor.stop();
  overhead.c1_precise = {
    ...precise,
    added_p50_ms: round(precise.gateway.p50 - precise.upstream.p50),
    added_p99_ms: round(precise.gateway.p99 - precise.upstream.p99),
    minimal_proxy_added_p50_ms: round(precise.minimal_proxy.p50 - precise.upstream.p50),
    minimal_proxy_added_p99_ms: round(precise.minimal_proxy.p99 - precise.upstream.p99),
    // Issue 26's measure: what the gateway adds over the minimal proxy of the same upstreams.
    over_minimal_proxy_p50_ms: round(precise.gateway.p50 - precise.minimal_proxy.p50),
    over_minimal_proxy_p99_ms: round(precise.gateway.p99 - precise.minimal_proxy.p99),
  };
  results.overhead = overhead;
  await gw.stop();
  await u.close();
}

// 1b. Cold at c=32 over 1,600 distinct cache keys: every request is a miss (its own
// workspace_path), through the built gateway as `npm start` runs it; what counts is that none
// fails, and how the tail compares with the slowest upstream's at the same concurrency.
if (wanted("cold_distinct")) {
  const u = await upstreams();
  const gw = await builtGateway(configFor(u, longCache));
  const distinct = (amount: number, offset: number) => loadDistinct(gw.url, amount, offset, COOKIE);
  await distinct(200, 1_000_000); // warm-up: code paths, pools, JIT
  const keys = QUICK ? 320 : 1600;
  const load = await distinct(keys, 0);
  const slowest = await autocannon(`${u.portal.url}/v1/portal/chats`, {
    connections: 32,
    amount: keys,
  });
  results.cold_distinct = {
    keys,
    ...load,
    slowest_upstream_p50: slowest.p50,
    slowest_upstream_p99: slowest.p99,
    added_p99_ms: round(load.p99 - slowest.p99),
  };
  await gw.stop();
  await u.close();
}

// 3. Warm cache vs an honest ceiling (bench/warm-scenario.ts): the built gateway as npm start
// runs it against a bare Hono app in its own process returning the same bytes, and one sending
// the same headers too; interleaved rounds, median ratios, CPU per request of each process.
if (wanted("warm_vs_ceiling"))
  results.warm_vs_ceiling = await warmScenario({ rounds: QUICK ? 2 : 5, seconds: QUICK ? 1 : 5 });

// 3a. The revalidation: the sidebar sends the list's ETag back (If-None-Match) and gets a 304;
// against bare Hono routes answering the same 304 (one with the same headers), as in 3.
if (wanted("revalidation"))
  results.revalidation = await warmScenario({
    rounds: QUICK ? 2 : 5,
    seconds: QUICK ? 1 : 5,
    revalidate: true,
  });

// 3b. What the instrumentation costs that warm path: with and without metrics, interleaved, and
// with `--before DIR` the code of another checkout too (see bench/instrumentation.ts).
if (wanted("instrumentation")) {
  const at = process.argv.indexOf("--before");
  const before = at === -1 ? {} : { before: process.argv[at + 1] as string };
  results.instrumentation = {
    in_process: await inProcessScenario(before),
    over_http: await instrumentationScenario(before),
  };
}

// 3c. npm start as a user runs it (the build up to date): to the first answer of the list, the
// process tree that serves, and its resident memory once idle (bench/startup.ts).
if (wanted("startup")) {
  const u = await upstreams();
  await build();
  results.startup = await startupScenario(configFor(u), listPath);
  await u.close();
}

// 3d. A workspace_path asked for the first time over 10,000 local session files, once the
// stores have been scanned (the warm index): time and what it cost the disk (bench/local-scan.ts).
if (wanted("new_workspace"))
  results.new_workspace = JSON.parse(
    (
      await run(
        process.execPath,
        ["--import", "tsx", join(ROOT, "bench/local-scan.ts"), "--new-workspace", "10000"],
        { maxBuffer: 1024 * 1024 },
      )
    ).stdout,
  );

// 3e. 60,000 distinct users through the cache: live heap against 1.5 × cache.maxBytes
// (bench/users-memory.ts, in a process of its own with --expose-gc).
if (wanted("users"))
  results.users = JSON.parse(
    (
      await run(
        process.execPath,
        [
          "--expose-gc",
          "--import",
          "tsx",
          join(ROOT, "bench/users-memory.ts"),
          QUICK ? "20000" : "60000",
        ],
        { maxBuffer: 1024 * 1024 },
      )
    ).stdout,
  );

// 4. Coalescing: 1,000 concurrent cold requests.
if (wanted("coalescing")) {
  const u = await upstreams();
  const gw = await nodeGateway(configFor(u, longCache));
  const load = await autocannon(`${gw.url}${listPath}`, { connections: 1000, amount: 1000 });
  results.coalescing = {
    requests: load.requests,
    non2xx: load.non2xx,
    upstream_list_calls: listCalls(u),
  };
  await gw.stop();
  await u.close();
}

// 5. Scale: warm latency with 10, 1,000 and 10,000 items in total.
if (wanted("scale")) {
  const scale: Array<Record<string, number>> = [];
  for (const items of [10, 1000, 10_000]) {
    const u = await upstreams(items);
    const gw = await nodeGateway(
      configFor(u, { ...longCache, upstream: { maxBodyBytes: 16 * 1024 * 1024 } }),
    );
    await fetch(`${gw.url}${listPath}`, { headers: { cookie: COOKIE } });
    const load = await autocannon(`${gw.url}${listPath}`, { connections: 1 });
    scale.push({ items, p50_ms: load.p50, p99_ms: load.p99, rps: round(load.rps, 0) });
    await gw.stop();
    await u.close();
  }
  const [small, mid, large] = scale as [
    Record<string, number>,
    Record<string, number>,
    Record<string, number>,
  ];
  const nlogn = (n: number) => n * Math.log2(n);
  results.scale = {
    runs: scale,
    growth_1000_to_10000: round((large.p50_ms ?? 0) / Math.max(0.01, mid.p50_ms ?? 0)),
    nlogn_growth_1000_to_10000: round(nlogn(10_000) / nlogn(1000)),
    growth_10_to_1000: round((mid.p50_ms ?? 0) / Math.max(0.01, small.p50_ms ?? 0)),
  };
}

// 6. Memory: many distinct cache keys, against the configured cache size. Live heap is read
// after a full collection (the gateway runs with --expose-gc here); RSS is read as the OS sees it,
// at half and at all of the keys, to show whether it keeps growing.
if (wanted("memory")) {
  const keys = QUICK ? 4000 : 100_000;
  const maxBytes = 16 * 1024 * 1024;
  const u = await upstreams();
  const config = configFor(u, { cache: { ttlMs: 600_000, staleIfErrorMs: 0, maxBytes } });
  config.sources = config.sources.filter((source) => source.kind === "executor_registry");
  const gw = await nodeGateway(config, { exposeGc: true });
  // The JS heap and the array buffers outside it (a list view's encoded body is one).
  const memory = async () => {
    const usage = (await (await fetch(`${gw.url}/bench/memory`)).json()) as {
      heapUsed: number;
      arrayBuffers: number;
    };
    return { heapUsed: usage.heapUsed + usage.arrayBuffers };
  };
  const load = (amount: number, offset: number) => loadDistinct(gw.url, amount, offset);
  await load(2000, 10_000_000); // warm-up: code paths, pools, JIT
  const heapBefore = (await memory()).heapUsed / 2 ** 20;
  const rssBefore = rssMiB(gw.pid);
  await load(keys / 2, 0);
  const rssHalf = rssMiB(gw.pid);
  await load(keys / 2, keys / 2);
  const heapAfter = (await memory()).heapUsed / 2 ** 20;
  const rssAfter = rssMiB(gw.pid);
  // The response memo may hold up to half the cache size again.
  const allowed = (maxBytes * 1.5) / 2 ** 20;
  results.memory = {
    keys,
    live_heap_mib: {
      before: round(heapBefore, 1),
      after: round(heapAfter, 1),
      growth: round(heapAfter - heapBefore, 1),
    },
    rss_mib: {
      before: round(rssBefore, 1),
      half: round(rssHalf, 1),
      after: round(rssAfter, 1),
      growth: round(rssAfter - rssBefore, 1),
      second_half_growth: round(rssAfter - rssHalf, 1),
    },
    cache_and_memo_limit_mib: allowed,
    live_heap_within: heapAfter - heapBefore <= allowed,
  };
  await gw.stop();
  await u.close();
}

// 7. Connections: a warm run opens no more upstream connections than the pool allows.
if (wanted("connections")) {
  const u = await upstreams();
  const pool = 8;
  const counts = new Map<FakeUpstream, number>();
  const gw = await nodeGateway(
    configFor(u, { ...noCache, upstream: { connectionsPerOrigin: pool } }),
  );
  await fetch(`${gw.url}${listPath}`, { headers: { cookie: COOKIE } });
  const before = (upstream: FakeUpstream) => upstream.connections();
  for (const upstream of [u.portal, u.registry, u.store]) counts.set(upstream, before(upstream));
  const load = await autocannon(`${gw.url}${listPath}`, {
    connections: 32,
    seconds: QUICK ? 1 : 10,
  });
  const opened = Object.fromEntries(
    [
      ["portal", u.portal],
      ["executors", u.registry],
      ["agents", u.store],
    ].map(([name, upstream]) => [
      name as string,
      (upstream as FakeUpstream).connections() - (counts.get(upstream as FakeUpstream) ?? 0),
    ]),
  );
  results.connections = {
    pool_size: pool,
    requests: load.requests,
    opened_during_run: opened,
    within: Object.values(opened).every((n) => (n as number) <= pool),
  };
  await gw.stop();
  await u.close();
}

// 8. Edge: scenario 1 in workerd (the Worker as wrangler deploy bundles it) beside Node.
if (wanted("edge")) {
  const u = await upstreams();
  const edge: Record<string, unknown> = {};
  const node = await nodeGateway(configFor(u, noCache));
  const workerd = await workerdGateway(configFor(u, noCache));
  for (const gw of [node, workerd])
    await fetch(`${gw.url}${listPath}`, { headers: { cookie: COOKIE } });
  for (const connections of QUICK ? [1] : [1, 32]) {
    const onNode = await autocannon(`${node.url}${listPath}`, { connections });
    const onWorkerd = await autocannon(`${workerd.url}${listPath}`, { connections });
    const slowest = await autocannon(`${u.portal.url}/v1/portal/chats`, { connections });
    edge[`c${connections}`] = {
      node: onNode,
      workerd: onWorkerd,
      slowest_upstream: slowest,
      added_p50_ms: {
        node: round(onNode.p50 - slowest.p50),
        workerd: round(onWorkerd.p50 - slowest.p50),
      },
      workerd_vs_node_p50: round(onWorkerd.p50 / onNode.p50),
    };
  }
  results.edge = edge;
  await Promise.all([node.stop(), workerd.stop()]);
  await u.close();
}

// 8b. Edge, warm: the cached list from the gateway's Worker against a bare Worker answering the
// same body, both in workerd (no wrangler dev in front); interleaved rounds at c=32, median ratio.
if (wanted("edge_warm")) {
  const u = await upstreams();
  const workerd = await workerdGateway(configFor(u, longCache));
  const body = await (
    await fetch(`${workerd.url}${listPath}`, { headers: { cookie: COOKIE } })
  ).text();
  const bare = await bareWorker(body);
  // The ceiling issue 26 names: the same bytes, the same headers and one log line a request
  // (the gateway's request log line is about this long).
  const sent = await fetch(`${workerd.url}${listPath}`, { headers: { cookie: COOKIE } });
  await sent.arrayBuffer();
  const sameHeaders = Object.fromEntries(
    [...sent.headers].filter(([name]) => name !== "content-length" && name !== "date"),
  );
  const logLine = JSON.stringify({
    level: "info",
    time: "2026-12-07T00:00:00.000Z",
    event: "request",
    request_id: "00000000-0000-4000-8000-000000000000",
    method: "GET",
    path: "/api/chat-list",
    status: 200,
    duration_ms: 0.4,
    client: "127.0.0.1",
    sources: [
      { name: "portal", status: "ok", cache: "hit", items: 10 },
      { name: "executors", status: "ok", cache: "hit", items: 10 },
      { name: "agents", status: "ok", cache: "hit", items: 10 },
    ],
  });
  const bareSame = await bareWorker(body, { headers: sameHeaders, logLine });
  const rounds: Array<{
    list_rps: number;
    bare_rps: number;
    ratio: number;
    bare_same_rps: number;
    ratio_same: number;
  }> = [];
  try {
    for (const gw of [workerd, bare, bareSame])
      await autocannon(`${gw.url}${listPath}`, { connections: 32, seconds: 1 });
    for (let index = 0; index < (QUICK ? 2 : 5); index++) {
      const list = await autocannon(`${workerd.url}${listPath}`, {
        connections: 32,
        seconds: QUICK ? 1 : 5,
      });
      const ceiling = await autocannon(`${bare.url}${listPath}`, {
        connections: 32,
        seconds: QUICK ? 1 : 5,
      });
      const same = await autocannon(`${bareSame.url}${listPath}`, {
        connections: 32,
        seconds: QUICK ? 1 : 5,
      });
      rounds.push({
        list_rps: round(list.rps, 0),
        bare_rps: round(ceiling.rps, 0),
        ratio: round(list.rps / ceiling.rps),
        bare_same_rps: round(same.rps, 0),
        ratio_same: round(list.rps / same.rps),
      });
    }
  } finally {
    await Promise.all([workerd.stop(), bare.stop(), bareSame.stop()]);
    await u.close();
  }
  results.edge_warm = {
    list_rps: round(median(rounds.map((r) => r.list_rps)), 0),
    bare_rps: round(median(rounds.map((r) => r.bare_rps)), 0),
    ratio: round(median(rounds.map((r) => r.ratio))),
    same_headers_headers: Object.keys(sameHeaders).length,
    bare_same_rps: round(median(rounds.map((r) => r.bare_same_rps)), 0),
    ratio_same_headers_and_log: round(median(rounds.map((r) => r.ratio_same))),
    rounds,
  };
}

// 9. Live streams: idle streams' memory, and one marker change fanned out to 1,000 streams.
if (wanted("streams")) results.streams = await streamsScenario();

// 9c. Feed refreshes at scale: 1,000 callers each streaming its own workspace, refreshMs 5 s,
// cached sources; the gateway's CPU per refresh from /proc, the idle baseline subtracted.
if (wanted("feed_refresh"))
  results.feed_refresh = await feedRefreshScenario({
    callers: QUICK ? 200 : 1000,
    windowMs: QUICK ? 10_000 : 20_000,
  });

// 9b. Live latency: a write on disk to the patch on an open stream, per change kind, with the
// default config (bench/live-latency.ts).
if (wanted("live_latency")) results.live_latency = await liveLatencyScenario(QUICK ? 5 : 20);

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  node: process.version,
  date: new Date().toISOString(),
  quick: QUICK,
  seconds_per_run: SECONDS,
};
if (only !== null) {
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
writeFileSync(
  join(ROOT, "bench/results.json"),
  `${JSON.stringify({ machine, results }, null, 2)}\n`,
);

const r = results as Record<string, Record<string, Record<string, unknown>>>;
const o = r.overhead as Record<
  string,
  { added_p50_ms: number; added_p99_ms: number; p50_vs_slowest: number }
>;
const w = results.warm_vs_ceiling as Awaited<ReturnType<typeof warmScenario>>;
const rv = results.revalidation as Awaited<ReturnType<typeof warmScenario>>;
const fr = results.feed_refresh as Awaited<ReturnType<typeof feedRefreshScenario>>;
const cd = results.cold_distinct as Record<string, number>;
const ins = results.instrumentation as {
  in_process: Awaited<ReturnType<typeof inProcessScenario>>;
  over_http: Awaited<ReturnType<typeof instrumentationScenario>>;
};
const insHttp = ins.over_http;
const beforeNote =
  ins.in_process.on_vs_before === undefined
    ? ""
    : `; vs the code before issue 14: in process ${ins.in_process.on_vs_before}×, req/s ${insHttp.on_vs_before?.rps.median}×`;
const c = results.coalescing as { upstream_list_calls: Record<string, number>; non2xx: number };
const s = results.scale as {
  runs: Array<Record<string, number>>;
  growth_1000_to_10000: number;
  nlogn_growth_1000_to_10000: number;
};
const m = results.memory as {
  keys: number;
  live_heap_mib: { before: number; after: number; growth: number };
  rss_mib: {
    before: number;
    half: number;
    after: number;
    growth: number;
    second_half_growth: number;
  };
  cache_and_memo_limit_mib: number;
};
const k = results.connections as { pool_size: number; opened_during_run: Record<string, number> };
const e = results.edge as Record<
  string,
  { added_p50_ms: { node: number; workerd: number }; workerd_vs_node_p50: number }
>;
const ew = results.edge_warm as {
  list_rps: number;
  bare_rps: number;
  ratio: number;
  same_headers_headers: number;
  bare_same_rps: number;
  ratio_same_headers_and_log: number;
  rounds: unknown[];
};
const op = o.c1_precise as unknown as {
  over_minimal_proxy_p50_ms: number;
  over_minimal_proxy_p99_ms: number;
};
const st = results.streams as Awaited<ReturnType<typeof streamsScenario>>;
const ll = results.live_latency as Awaited<ReturnType<typeof liveLatencyScenario>>;
const up = results.startup as Awaited<ReturnType<typeof startupScenario>>;
const nw = results.new_workspace as Record<string, number>;
const us = results.users as {
  users: number;
  live_heap_mib: { idle: number; after: number; growth: number };
  limit_mib: number;
  within: boolean;
  rss_mib: { idle: number; after: number };
};
const large = s.runs.at(-1) as Record<string, number>;
const rows = [
  `| 1 overhead, c=1 | added p50 ${o.c1?.added_p50_ms} ms, p99 ${o.c1?.added_p99_ms} ms (autocannon, whole ms); sequential at 0.01 ms: p50 ${o.c1_precise?.added_p50_ms} ms, p99 ${o.c1_precise?.added_p99_ms} ms over ${(o.c1_precise as unknown as { requests: number } | undefined)?.requests} requests each | p50 ≤ 2, p99 ≤ 10 |`,
  `| 1 overhead floor | a minimal proxy (plain Node, undici, the same three upstreams, no framework, log or cache) adds p50 ${(o.c1_precise as unknown as { minimal_proxy_added_p50_ms: number }).minimal_proxy_added_p50_ms} ms, p99 ${(o.c1_precise as unknown as { minimal_proxy_added_p99_ms: number }).minimal_proxy_added_p99_ms} ms in the same sequential run | reported |`,
  `| 1 cold over the floor, c=1 | the gateway over the minimal proxy of the same upstreams: p50 +${op.over_minimal_proxy_p50_ms} ms, p99 +${op.over_minimal_proxy_p99_ms} ms | p50 ≤ +1.0, p99 ≤ +10 |`,
  `| 1 overhead, c=32 | added p50 ${o.c32?.added_p50_ms} ms, p99 ${o.c32?.added_p99_ms} ms | p50 ≤ 2, p99 ≤ 10 |`,
  `| 2 parallelism | p50 = ${o.c1?.p50_vs_slowest}× the slowest upstream (c=1) | ≤ 1.1× |`,
  `| 1b cold, c=32, distinct keys | ${cd.keys} keys: errors ${cd.errors}, timeouts ${cd.timeouts}, non-2xx ${cd.non2xx}; p50 ${cd.p50} ms, p99 ${cd.p99} ms (slowest upstream alone at c=32: p99 ${cd.slowest_upstream_p99} ms) | zero errors; p99 reported |`,
  `| 3 warm cache vs ceiling | ${w.list_rps} / ${w.bare_rps} req/s = ${w.ratio} (median of ${w.rounds.length} interleaved rounds); vs a bare route sending the same ${w.response_headers_set_by_the_gateway} headers: ${w.ratio_same_headers}; CPU per request ${w.cpu_us_per_request.list} / ${w.cpu_us_per_request.bare} / ${w.cpu_us_per_request.bare_same_headers} µs | ≥ 0.8 |`,
  `| 3 warm CPU per request vs the same bytes and headers | ${w.cpu_us_per_request.list} / ${w.cpu_us_per_request.bare_same_headers} µs = ${w.cpu_ratio_same_headers}× (median of the rounds' ratios) | ≤ 1.3× |`,
  `| 3a revalidation (304) CPU per request | ${rv.cpu_us_per_request.list} / ${rv.cpu_us_per_request.bare_same_headers} µs = ${rv.cpu_ratio_same_headers}× a bare Hono route answering the same 304 with the same ${rv.response_headers_set_by_the_gateway} headers (median of ${rv.rounds.length} interleaved rounds; ${rv.list_rps} / ${rv.bare_same_headers_rps} req/s) | ≤ 1.3× |`,
  `| 3b instrumentation (warm) | with / without metrics: time per request in process ${ins.in_process.on_vs_off}× (${ins.in_process.median_us_per_request.on} / ${ins.in_process.median_us_per_request.off} µs); over HTTP, median of ${insHttp.pairs} interleaved pairs, req/s ${insHttp.on_vs_off.rps.median}× (${insHttp.on_vs_off.rps.ratios.join(", ")}), CPU per request ${insHttp.on_vs_off.cpu_us_per_request.median}×${beforeNote} | within noise |`,
  `| 3c npm start (built) | first answer after ${up.first_answer_ms} ms (listening after ${up.listening_ms} ms); idle RSS: serving process ${up.serving_rss_mib} MiB, all ${up.processes.length} processes ${up.total_rss_mib} MiB (${up.processes.map((one) => one.args.split(" ").slice(0, 2).join(" ")).join(" → ")}) | ≤ 1 s; RSS reported |`,
  `| 3d new workspace_path | ${nw.files} session files, warm index: ${nw.ms_each} ms each (mean of ${nw.workspaces}), ${nw.dirs_listed} directories listed, ${nw.files_read} files read, ${nw.stats_each} stats each | ≤ 5 ms, no directory listed |`,
  `| 3e ${us.users} users | live heap + array buffers ${us.live_heap_mib.idle} → ${us.live_heap_mib.after} MiB (+${us.live_heap_mib.growth}; limit 1.5 × cache.maxBytes = ${us.limit_mib} MiB, ${us.within ? "within" : "over"}); RSS ${us.rss_mib.idle} → ${us.rss_mib.after} MiB | ≤ 1.5 × cache.maxBytes + idle heap |`,
  `| 4 coalescing | 1,000 cold requests → list calls ${JSON.stringify(c.upstream_list_calls)}, non-2xx ${c.non2xx} | 1 per source |`,
  `| 5 scale | p50 ${s.runs.map((run) => `${run.items}: ${run.p50_ms} ms`).join(", ")}; growth 1k→10k ${s.growth_1000_to_10000}× (n log n: ${s.nlogn_growth_1000_to_10000}×) | 10k p50 ≤ 25 ms; ≤ n log n |`,
  `| 6 memory | ${m.keys} keys: live heap + array buffers ${m.live_heap_mib.before} → ${m.live_heap_mib.after} MiB (+${m.live_heap_mib.growth}); RSS ${m.rss_mib.before} → ${m.rss_mib.half} (half the keys) → ${m.rss_mib.after} MiB | ≤ +${m.cache_and_memo_limit_mib} MiB (cache + memo) |`,
  `| 7 connections | opened during the run ${JSON.stringify(k.opened_during_run)} | ≤ pool (${k.pool_size}) |`,
  `| 9 idle streams | ${st.idle_one_feed.streams} on one feed: heap ${st.idle_one_feed.heap_kib_per_stream} KiB, RSS ${st.idle_one_feed.rss_kib_per_stream} KiB each; each its own feed: heap ${st.idle_own_feeds.heap_kib_per_stream} KiB, RSS ${st.idle_own_feeds.rss_kib_per_stream} KiB each | ≤ 10 KiB each |`,
  `| 9c feed refresh | ${fr.callers} callers, each its own feed, refreshMs ${fr.refresh_ms}, cached sources: ${fr.cpu_us_per_refresh} µs of gateway CPU per refresh (${fr.refreshes} refreshes in ${fr.window_s} s; CPU ${fr.cpu_s.streaming} s streaming, ${fr.cpu_s.idle} s idle; ${round(fr.core_share_streaming * 100, 2)}% of a core) | ≤ 100 µs |`,
  `| 9b live latency (disk → patch, default config) | ${Object.entries(ll)
    .map(
      ([kind, one]) =>
        `${kind}: p50 ${one.p50_ms}, p95 ${one.p95_ms}, max ${one.max_ms} ms${one.missed > 0 ? ` (${one.missed} of ${one.trials} missed)` : ""}`,
    )
    .join("; ")} (${Object.values(ll)[0]?.trials} trials each) | p95 ≤ 1000 ms each |`,
  `| 9 marker fan-out | 1,000 streams of one identity: last patch ${st.fanout_one_feed.until_last_patch_ms} ms (one feed), ${st.fanout_100_feeds.until_last_patch_ms} ms (100 feeds) | ≤ 100 ms |`,
  `| 8b edge warm (workerd) | ${ew.list_rps} / ${ew.bare_same_rps} req/s = ${ew.ratio_same_headers_and_log} of a bare Worker sending the same bytes, the same ${ew.same_headers_headers} headers and one log line; ${ew.ratio} of one sending the bytes alone (${ew.bare_rps} req/s) (median of ${ew.rounds.length} interleaved rounds, c=32) | ≥ 0.7 |`,
  `| 8 edge (workerd) | added p50 c=1: node ${e.c1?.added_p50_ms.node} ms, workerd ${e.c1?.added_p50_ms.workerd} ms; workerd/node p50 ${e.c1?.workerd_vs_node_p50}×${e.c32 ? `; c=32: ${e.c32.workerd_vs_node_p50}×` : ""} | reported |`,
];
const table = [
  "",
  `## ${machine.date} — ${machine.cores} cores (${machine.cpu}), Node ${machine.node}${QUICK ? ", quick" : ""}, ${SECONDS} s per load run`,
  "",
  "| scenario | measured (same run) | target |",
  "|---|---|---|",
  ...rows,
  "",
].join("\n");
appendFileSync(join(ROOT, "bench/RESULTS.md"), table);
console.log(table);
console.log(`10k items p50: ${large.p50_ms} ms`);

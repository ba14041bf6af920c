// Live feeds at scale (issue 26): 1,000 callers, each streaming its own workspace (its own feed),
// refreshMs 5 s, every source served from cache. What one feed refresh costs the gateway:
// the gateway's CPU (utime + stime from /proc) over a window with the streams open, less its CPU
// over a window of the same length before any stream (the idle baseline), over the refreshes the
// window holds, counted from the gateway's own metrics: every refresh looks each of the three
// sources up in the cache once (chat_list_cache_lookups_total, read outside the CPU window), and
// every one of those lookups must be a hit, or the sources were not all cached. The gateway is the built one as `npm start` runs
// it (request log, metrics, read state in SQLite); the streams are raw sockets from this process.
//
//   npm run bench -- --only feed_refresh
import { builtGateway, configFor, QUICK, round, upstreams } from "./harness.js";
import { cpuSeconds } from "./instrumentation.js";
import { openMany, openStream } from "./streams.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cache lookups so far, by result, summed over the sources (from /metrics). */
async function lookups(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sums: Record<string, number> = {};
  for (const match of text.matchAll(
    /^chat_list_cache_lookups_total\{[^}]*result="(\w+)"[^}]*\} (\S+)$/gm,
  ))
    sums[match[1] as string] = (sums[match[1] as string] ?? 0) + Number(match[2]);
  return sums;
}
const SOURCES = 3;

/** `count` streams, each a caller of its own on a workspace of its own: a feed each. Opened 50
 * at a time: a thousand at once on a busy machine timed loads out. */
export function openOwnFeeds(origin: URL, count: number) {
  return openMany(
    count,
    (index) =>
      openStream(
        origin,
        `/api/chat-list/stream?workspace_path=/w/${index}`,
        `psession=feed-user-${index}`,
      ),
    50,
  );
}

export async function feedRefreshScenario(options: {
  callers: number;
  windowMs: number;
  refreshMs?: number;
  /** Another checkout's build (a before/after), run the same way. */
  root?: string;
}) {
  const refreshMs = options.refreshMs ?? 5000;
  const u = await upstreams();
  const gw = await builtGateway(
    configFor(u, {
      cache: { ttlMs: 600_000, staleIfErrorMs: 0, maxEntries: 50_000 },
      live: {
        refreshMs,
        maxStreams: options.callers + 10,
        maxStreamsPerCaller: 8,
        // Every stream comes from this one loopback address.
        maxStreamsPerAddress: options.callers + 10,
      },
    }),
    options.root === undefined ? {} : { root: options.root },
  );
  const origin = new URL(gw.url);
  try {
    // One stream first, so the first-use code paths are behind us; closed before the baseline.
    const warm = await openStream(
      origin,
      "/api/chat-list/stream?workspace_path=/warm",
      "psession=warm",
    );
    await warm.next("snapshot");
    warm.socket.destroy();
    await sleep(1000);
    const idleStart = cpuSeconds(gw.pid);
    await sleep(options.windowMs);
    const idleCpu = cpuSeconds(gw.pid) - idleStart;
    const streams = await openOwnFeeds(origin, options.callers);
    // Past the first loop of every feed (the loads that opened them filled the caches).
    await sleep(refreshMs + 1000);
    const lookupsBefore = await lookups(gw.url);
    const busyStart = cpuSeconds(gw.pid);
    const started = performance.now();
    await sleep(options.windowMs);
    const busyCpu = cpuSeconds(gw.pid) - busyStart;
    const windowMs = performance.now() - started;
    const lookupsAfter = await lookups(gw.url);
    const delta = (result: string) => (lookupsAfter[result] ?? 0) - (lookupsBefore[result] ?? 0);
    const hits = delta("hit");
    const others = Object.keys(lookupsAfter)
      .filter((result) => result !== "hit")
      .reduce((sum, result) => sum + delta(result), 0);
    const refreshes = (hits + others) / SOURCES;
    for (const stream of streams) stream.socket.destroy();
    return {
      callers: options.callers,
      feeds: options.callers,
      refresh_ms: refreshMs,
      window_s: round(windowMs / 1000, 1),
      refreshes: Math.round(refreshes),
      expected_refreshes: Math.round((options.callers * windowMs) / refreshMs),
      /** Lookups in the window that were not cache hits (0: every source was cached). */
      uncached_lookups: others,
      cpu_s: { idle: round(idleCpu, 3), streaming: round(busyCpu, 3) },
      cpu_us_per_refresh: round(((busyCpu - idleCpu) * 1e6) / refreshes, 1),
      core_share_streaming: round((busyCpu - idleCpu) / (windowMs / 1000), 4),
    };
  } finally {
    await gw.stop();
    await u.close();
  }
}

// `--before DIR`: that checkout's gateway and this one's, alternately, `--rounds N` times each.
const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
if (import.meta.url === `file://${process.argv[1]}`) {
  const before = argument("--before");
  const shape = { callers: QUICK ? 200 : 1000, windowMs: QUICK ? 10_000 : 20_000 };
  const runs: Array<{ which: string; cpu_us_per_refresh: number; uncached_lookups: number }> = [];
  for (let index = 0; index < Number(argument("--rounds") ?? 1); index++)
    for (const which of before === undefined ? ["this"] : ["before", "this"]) {
      const result = await feedRefreshScenario({
        ...shape,
        ...(which === "before" && before !== undefined ? { root: before } : {}),
      });
      console.error(JSON.stringify({ which, ...result }));
      runs.push({ which, ...result });
    }
  console.log(JSON.stringify(runs, null, 2));
}

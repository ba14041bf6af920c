// Live streams at scale (DESIGN §9): what an idle stream costs the gateway, and how long one read
// marker change takes to reach 1,000 streams of one identity. The gateway runs in its own
// process (bench/gateway-process.ts); the streams are raw sockets from this one.
//
//   npm run bench:streams [-- --quick]        (also part of npm run bench)
import { connect, type Socket } from "node:net";
import { startFakeUpstream } from "../test/support/fake-upstream.js";
import { nodeGateway, QUICK, round, rssMiB } from "./harness.js";

interface StreamSocket {
  socket: Socket;
  /** Resolves when the stream has sent `event: <name>` (from now on). */
  next(name: string): Promise<number>;
}

/** One SSE stream over a raw socket: cheap enough to hold ten thousand of in one process. */
export function openStream(origin: URL, path: string, cookie?: string): Promise<StreamSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(origin.port), origin.hostname);
    let text = "";
    const waiters: Array<{ name: string; resolve: (at: number) => void }> = [];
    /** Resolves the waiters whose event has arrived (each consumes the text up to it). */
    const settle = () => {
      for (const waiter of [...waiters]) {
        const marker = `event: ${waiter.name}\n`;
        const at = text.indexOf(marker);
        if (at === -1) continue;
        text = text.slice(at + marker.length);
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(performance.now());
      }
    };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      settle();
      if (text.length > 65_536) text = text.slice(-4096);
    });
    socket.on("error", reject);
    socket.on("connect", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${cookie ? `Cookie: ${cookie}\r\n` : ""}\r\n`,
      );
      resolve({
        socket,
        next: (name) =>
          new Promise((done) => {
            waiters.push({ name, resolve: done });
            settle();
          }),
      });
    });
  });
}

/** Opens `count` streams, `batchSize` at a time, each waiting for its snapshot. */
export async function openMany(
  count: number,
  open: (index: number) => Promise<StreamSocket>,
  batchSize = 250,
) {
  const streams: StreamSocket[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(batchSize, count - start) }, async (_, offset) => {
        const stream = await open(start + offset);
        await stream.next("snapshot");
        return stream;
      }),
    );
    streams.push(...batch);
  }
  return streams;
}

const memory = async (url: string) =>
  (await (await fetch(`${url}/bench/memory`)).json()) as { heapUsed: number };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Idle streams: heap and RSS over the gateway's baseline, per stream. */
async function idleStreams(count: number, sharedFeed: boolean) {
  const registry = await startFakeUpstream({
    "/executors": {
      json: [{ type: "CODEX", is_available: true, session_count: 3, last_active: null }],
    },
  });
  const gw = await nodeGateway(
    {
      sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
      cache: { ttlMs: 600_000, staleIfErrorMs: 0, maxEntries: 50_000 },
      rateLimit: { perMinute: 0 },
      // Every stream comes from this one address.
      live: {
        refreshMs: 600_000,
        maxStreams: count + 10,
        maxStreamsPerCaller: count + 10,
        maxStreamsPerAddress: count + 10,
      },
    },
    { exposeGc: true },
  );
  const origin = new URL(gw.url);
  // One warm-up stream, so what is measured is the streams, not the first-use code paths.
  const warm = await openStream(origin, "/api/chat-list/stream?workspace_path=/warm");
  await warm.next("snapshot");
  await sleep(200);
  const heapBefore = (await memory(gw.url)).heapUsed;
  const rssBefore = rssMiB(gw.pid);
  const started = performance.now();
  const streams = await openMany(count, (index) =>
    openStream(
      origin,
      `/api/chat-list/stream?workspace_path=${sharedFeed ? "/shared" : `/w/${index}`}`,
    ),
  );
  const openMs = performance.now() - started;
  await sleep(500);
  const heapAfter = (await memory(gw.url)).heapUsed;
  const rssAfter = rssMiB(gw.pid);
  for (const stream of [...streams, warm]) stream.socket.destroy();
  await gw.stop();
  await registry.close();
  return {
    streams: count,
    feeds: sharedFeed ? 1 : count,
    open_ms: round(openMs, 0),
    heap_kib_per_stream: round((heapAfter - heapBefore) / 1024 / count),
    rss_kib_per_stream: round(((rssAfter - rssBefore) * 1024) / count),
    rss_mib: { before: round(rssBefore, 1), after: round(rssAfter, 1) },
  };
}

/** One marker change: from POST /read until the last of `count` streams has its patch. */
async function markerFanout(count: number, feeds: number) {
  const history = [{ id: "1710000000000-0", type: "user", sender: { id: 2 } }];
  const portal = await startFakeUpstream({
    "/v1/users/me": { json: { id: 1 } },
    "/v1/portal/chats": { json: [{ id: 10, chat_type: "group", name: "team" }] },
    "/v1/portal/chats/10/history": () => ({ json: history }),
  });
  // Nothing cached, so a feed's reload after the mark asks the portal again (the loop itself
  // waits ten minutes: only the mark makes the patch).
  const gw = await nodeGateway({
    sources: [{ kind: "portal", name: "portal", baseUrl: portal.url, history: { ttlMs: 0 } }],
    cache: { ttlMs: 0, staleIfErrorMs: 0 },
    rateLimit: { perMinute: 0 },
    live: { refreshMs: 600_000, maxStreamsPerCaller: count + 10, maxStreamsPerAddress: count + 10 },
  });
  const origin = new URL(gw.url);
  const cookie = "psession=fanout-user";
  // First sight at the first message; a second one arrives: every stream shows one unread.
  await fetch(`${gw.url}/api/chat-list`, { headers: { cookie } });
  history.push({ id: "1710000000001-0", type: "user", sender: { id: 2 } });
  const streams = await openMany(count, (index) =>
    openStream(origin, `/api/chat-list/stream?workspace_path=/w/${index % feeds}`, cookie),
  );
  // Past minIntervalMs since every snapshot, so the patch goes out at once.
  await sleep(500);
  const patches = streams.map((stream) => stream.next("patch"));
  const started = performance.now();
  const response = await fetch(`${gw.url}/api/chat-list/read`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ items: [{ id: "gc-10" }] }),
  });
  if (response.status !== 200) throw new Error(`mark read: HTTP ${response.status}`);
  const arrived = await Promise.all(patches);
  const last = Math.max(...arrived) - started;
  for (const stream of streams) stream.socket.destroy();
  await gw.stop();
  await portal.close();
  return { streams: count, feeds, until_last_patch_ms: round(last, 1) };
}

export async function streamsScenario() {
  const idle = QUICK ? 2_000 : 10_000;
  return {
    idle_own_feeds: await idleStreams(idle, false),
    idle_one_feed: await idleStreams(idle, true),
    fanout_one_feed: await markerFanout(1_000, 1),
    fanout_100_feeds: await markerFanout(1_000, 100),
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await streamsScenario(), null, 2));

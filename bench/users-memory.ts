// 60,000 distinct users through the cache (issue 16): live heap after a full collection, over
// the heap with 500 users, against 1.5 × cache.maxBytes. In one process (node --expose-gc), the
// portal answered in memory (ten chats a user), every other setting at its default — read
// markers too, in SQLite as npm start keeps them (a file in a temporary directory), not in the
// memory store, which holds every marker and is for tests.
//
//   npm run bench:users [-- 60000]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.js";
import { createApp } from "../src/http/app.js";
import { createSqliteReadMarkerStore } from "../src/runtime/node/sqlite-read-markers.js";

const users = Number(process.argv[2] ?? 60_000);
const chats = Array.from({ length: 10 }, (_, i) => ({
  id: i + 1,
  chat_type: "group",
  name: `chat ${i}`,
  description: "A chat about things",
  visibility: "private",
}));
let userId = 0;
const portal = async (url: string) => {
  const path = new URL(url).pathname;
  const json =
    path === "/v1/users/me"
      ? { id: ++userId }
      : path.endsWith("/history")
        ? [{ id: "1767225600000-0", type: "user", sender: { id: 0 } }]
        : chats;
  return new Response(JSON.stringify(json), { headers: { "content-type": "application/json" } });
};
const config = parseConfig({
  sources: [{ kind: "portal", name: "portal", baseUrl: "http://portal.test" }],
  rateLimit: { perMinute: 0 },
  cache: { ttlMs: 600_000, staleIfErrorMs: 0 },
});
const stateDir = mkdtempSync(join(tmpdir(), "chat-list-bench-users-"));
const readMarkers = createSqliteReadMarkerStore({ path: join(stateDir, "state.sqlite") });
const app = createApp({ config, fetch: portal, readMarkers });
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
// What the process holds live: the JS heap and the array buffers outside it (a list view's
// encoded body is one), both after a full collection.
const live = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.arrayBuffers;
// A full collection frees array buffers' memory on a background thread, after it returns:
// collected twice, a moment apart, so what is counted is what is live, not garbage still
// being swept.
const settle = async () => {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
};

async function asUsers(from: number, count: number) {
  for (let i = from; i < from + count; i++)
    await (
      await app.request("/api/chat-list", { headers: { cookie: `psession=user-${i}` } })
    ).text();
}
await asUsers(10_000_000, 500); // warm-up: code paths, JIT, the chats' histories
await settle();
const idle = process.memoryUsage();
await asUsers(0, users);
await settle();
const after = process.memoryUsage();
const limit = 1.5 * config.cache.maxBytes;
console.log(
  JSON.stringify({
    users,
    cache_max_bytes_mib: mib(config.cache.maxBytes),
    live_heap_mib: {
      idle: mib(live(idle)),
      after: mib(live(after)),
      growth: mib(live(after) - live(idle)),
    },
    limit_mib: mib(limit),
    within: live(after) - live(idle) <= limit,
    rss_mib: { idle: mib(idle.rss), after: mib(after.rss) },
  }),
);
await readMarkers.close();
rmSync(stateDir, { recursive: true, force: true });

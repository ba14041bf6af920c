// One of the two processes of the sqlite race test: opens the shared file, says "ready", waits
// for "go <time>" on stdin and that time, then advances one marker once per position it is given (one transaction
// each) and prints when it started and ended (so the test can see that the two overlapped).
// Exits 1 if a marker ever came back lower than what it sent or than the one before.
import { createSqliteReadMarkerStore } from "../../src/runtime/node/sqlite-read-markers.js";
import { comparePositions, formatPosition } from "../../src/state/positions.js";
import { randomPositions } from "../../src/state/store-contract-helpers.js";

const [path, identity, count, seed] = process.argv.slice(2);
const store = createSqliteReadMarkerStore({ path: String(path), busyTimeoutMs: 5000 });
await store.check();
process.stdout.write("ready\n");
// "go <epoch ms>": both children start at the same wall-clock moment, not when each read it.
const go = await new Promise<string>((resolve) =>
  process.stdin.once("data", (data) => resolve(String(data))),
);
const startAt = Number(go.split(" ")[1]);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
const positions = randomPositions(Number(count), Number(seed));
let last = { ms: 0, seq: 0 };
const startedAt = performance.timeOrigin + performance.now();
for (const position of positions) {
  const { markers } = await store.advance(String(identity), [{ itemId: "gc-1", position }]);
  const after = markers.get("gc-1");
  if (
    after === undefined ||
    comparePositions(after, position) < 0 ||
    comparePositions(after, last) < 0
  ) {
    process.stderr.write(
      `marker went back: sent ${formatPosition(position)}, got ${JSON.stringify(after)}\n`,
    );
    process.exit(1);
  }
  last = after;
}
const endedAt = performance.timeOrigin + performance.now();
await store.close();
process.stdout.write(`${JSON.stringify({ startedAt, endedAt })}\n`);

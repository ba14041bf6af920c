import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createPostgresReadMarkerStore } from "../../src/runtime/node/postgres-read-markers.js";
import {
  type MarkerChange,
  type ReadMarkerStore,
  StoreUnavailableError,
} from "../../src/state/read-marker-store.js";
import { createTestDatabase, postgresUnavailable } from "../support/postgres.js";
import { type PostgresServer, startPostgresServer } from "../support/postgres-server.js";

// These tests stop and start a server, so they run their own rather than the run's shared one.
let server: PostgresServer | undefined;
let url = "";
beforeAll(async () => {
  // No server for the run means no binaries: the tests say so (skip, or fail when required).
  if (inject("postgres").url === null) return;
  server = await startPostgresServer();
  url = (await createTestDatabase(server.url)).url;
}, 30_000);
afterAll(async () => {
  await server?.destroy();
});

const TIMEOUT_MS = 1000;
const stores: ReadMarkerStore[] = [];
function newStore(onError?: (error: unknown) => void): ReadMarkerStore {
  const store = createPostgresReadMarkerStore({ url, timeoutMs: TIMEOUT_MS, onError });
  stores.push(store);
  return store;
}

// Anything postgres.js let escape while the server was gone would land here (and, outside a
// test runner, end the process).
const escaped: unknown[] = [];
const record = (error: unknown) => escaped.push(error);
beforeAll(() => {
  process.on("unhandledRejection", record);
  process.on("uncaughtException", record);
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await server?.start().catch(() => {}); // a failed test may have left it stopped
});
afterAll(() => {
  process.off("unhandledRejection", record);
  process.off("uncaughtException", record);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const entry = (ms: number) => ({ itemId: "gc-1", position: { ms, seq: 0 } });

/** Rejects with StoreUnavailableError, and within the deadline (plus scheduling slack). */
async function refusedQuickly(call: Promise<unknown>) {
  const started = performance.now();
  await expect(call).rejects.toBeInstanceOf(StoreUnavailableError);
  expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 500);
}

/** Retries `attempt` until it succeeds, up to `ms`; returns how long it took. */
async function eventually(attempt: () => Promise<unknown>, ms = 10_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await attempt();
      return performance.now() - started;
    } catch (error) {
      if (performance.now() - started > ms) throw error;
      await sleep(100);
    }
  }
}

describe("the postgres store while its server is down", () => {
  it("rejects every call with StoreUnavailableError quickly, crashes nothing, and works again when the server is back", async (t) => {
    const reason = postgresUnavailable();
    if (reason !== undefined || server === undefined) return t.skip(reason ?? "no server");
    const store = newStore();
    const other = newStore();
    const heard: MarkerChange[] = [];
    store.subscribe((change) => change.identity === "portal:1" && heard.push(change));
    await store.advance("portal:1", [entry(1)]);
    // LISTEN is up once another instance's change arrives.
    let next = 2; // each attempt a later position, so each one is a change
    await eventually(async () => {
      await other.advance("portal:1", [entry(next++)]);
      await sleep(50);
      if (!heard.some((c) => c.itemIds.length > 0)) throw new Error("not heard yet");
    });

    await server.stop();
    await refusedQuickly(store.read("portal:1", ["gc-1"]));
    await refusedQuickly(store.advance("portal:1", [entry(100)]));
    await refusedQuickly(
      store.setIfAbsent("portal:1", [{ itemId: "gc-2", position: { ms: 1, seq: 0 } }]),
    );
    await refusedQuickly(store.check());
    // A burst (more calls than connections) is refused within the deadline too.
    const burst = Array.from({ length: 20 }, (_, i) =>
      refusedQuickly(store.advance("portal:1", [entry(200 + i)])),
    );
    await Promise.all(burst);
    await sleep(1500); // reconnect attempts keep failing in the background meanwhile

    await server.start();
    const recoveredIn = await eventually(() => store.check());
    expect(recoveredIn).toBeLessThan(5000);
    const moved = await store.advance("portal:1", [entry(1000)]);
    expect(moved.changed).toEqual(["gc-1"]);
    // LISTEN came back by itself: another instance's change reaches this store's subscriber.
    heard.length = 0;
    await eventually(async () => {
      await other.advance("portal:1", [entry(2000 + next++)]);
      await sleep(50);
      if (!heard.some((c) => c.itemIds.includes("gc-1"))) throw new Error("not heard yet");
    });
    expect(escaped).toEqual([]);
  }, 60_000);

  it("creates its table once the server is up when it was down at start", async (t) => {
    const reason = postgresUnavailable();
    if (reason !== undefined || server === undefined) return t.skip(reason ?? "no server");
    await server.stop();
    const background: unknown[] = [];
    const store = newStore((error) => background.push(error));
    await refusedQuickly(store.check());
    await refusedQuickly(store.advance("local", [entry(1)]));
    expect(background[0]).toBeInstanceOf(StoreUnavailableError); // the schema attempt at start
    await server.start();
    await eventually(() => store.check());
    expect((await store.advance("local", [entry(2)])).changed).toEqual(["gc-1"]);
    expect(escaped).toEqual([]);
  }, 60_000);
});

import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createPostgresReadMarkerStore } from "../../src/runtime/node/postgres-read-markers.js";
import { maxPosition } from "../../src/state/positions.js";
import type { MarkerChange, ReadMarkerStore } from "../../src/state/read-marker-store.js";
import { randomPositions } from "../../src/state/store-contract-helpers.js";
import { describeStoreContract } from "../contract/store-contract-runner.js";
import {
  createTestDatabase,
  postgresUnavailable,
  usePostgresDatabase,
} from "../support/postgres.js";

const database = usePostgresDatabase();
const open: ReadMarkerStore[] = [];
function newStore(): ReadMarkerStore {
  const store = createPostgresReadMarkerStore({ url: database.url });
  open.push(store);
  return store;
}
afterAll(async () => {
  await Promise.all(open.map((store) => store.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `listener` has heard a change for which `wanted` holds (within 5 s). */
async function until(heard: MarkerChange[], wanted: (change: MarkerChange) => boolean) {
  for (let waited = 0; !heard.some(wanted); waited += 10) {
    if (waited > 5000) throw new Error(`not heard within 5 s; heard ${JSON.stringify(heard)}`);
    await sleep(10);
  }
}

// A barrier through the server: another instance advances a marker until `store` hears it.
// Notifications arrive in commit order, so every earlier one has arrived by then.
let barrierStore: ReadMarkerStore | undefined;
let barriers = 0;
async function settle(store: ReadMarkerStore): Promise<void> {
  barrierStore ??= newStore();
  const identity = `barrier:${++barriers}:${Math.random()}`;
  const heard: MarkerChange[] = [];
  const stop = store.subscribe((change) => change.identity === identity && heard.push(change));
  try {
    for (let ms = 1; heard.length === 0; ms++) {
      if (ms > 50) throw new Error("no NOTIFY round trip within 5 s");
      await barrierStore.advance(identity, [{ itemId: "b", position: { ms, seq: 0 } }]);
      for (let i = 0; i < 10 && heard.length === 0; i++) await sleep(10);
    }
  } finally {
    stop();
  }
}

describeStoreContract({
  name: "postgres",
  unavailable: postgresUnavailable,
  settle,
  async create() {
    return { store: newStore(), reopen: async () => newStore() };
  },
});

describe("the postgres store across instances", () => {
  it("creates its table in an empty database", async (t) => {
    const reason = postgresUnavailable();
    if (reason !== undefined) t.skip(reason);
    const empty = await createTestDatabase(inject("postgres").url ?? "");
    const store = createPostgresReadMarkerStore({ url: empty.url });
    try {
      await store.check();
      const sql = postgres(empty.url, { max: 1 });
      const [row] = await sql`SELECT to_regclass('chat_list_read_markers')::text AS name`;
      await sql.end();
      expect(row?.name).toBe("chat_list_read_markers");
    } finally {
      await store.close();
      await empty.drop();
    }
  });

  it("delivers one instance's advance to another instance's subscriber through NOTIFY", async (t) => {
    const reason = postgresUnavailable();
    if (reason !== undefined) t.skip(reason);
    const [a, b] = [newStore(), newStore()];
    const heard: MarkerChange[] = [];
    b.subscribe((change) => change.identity === "portal:7" && heard.push(change));
    await settle(b);
    await a.advance("portal:7", [{ itemId: "gc-1", position: { ms: 5, seq: 0 } }]);
    await until(heard, () => true);
    await settle(b);
    expect(heard).toEqual([{ identity: "portal:7", itemIds: ["gc-1"] }]);
  });

  it("announces a change too large to list as itemIds []", async (t) => {
    const reason = postgresUnavailable();
    if (reason !== undefined) t.skip(reason);
    const [a, b] = [newStore(), newStore()];
    const identity = `big:${Math.random()}`;
    const heard: MarkerChange[] = [];
    b.subscribe((change) => change.identity === identity && heard.push(change));
    await settle(b);
    // 500 ids of 40 characters: about 21 KB of JSON, over the 8000-byte NOTIFY limit.
    const entries = Array.from({ length: 500 }, (_, i) => ({
      itemId: `gc-${String(i).padStart(37, "0")}`,
      position: { ms: 1, seq: 0 },
    }));
    const ownHeard: MarkerChange[] = [];
    a.subscribe((change) => change.identity === identity && ownHeard.push(change));
    await settle(a);
    const { changed } = await a.advance(identity, entries);
    expect(changed).toHaveLength(500);
    await until(heard, () => true);
    await settle(a);
    expect(heard).toEqual([{ identity, itemIds: [] }]);
    // The instance that made it knows the items, and tells its own subscribers all of them.
    expect(ownHeard.map((change) => change.itemIds.length)).toEqual([500]);
  });

  it("two instances advancing one marker with 1,000 random positions each end at the maximum", async (t) => {
    const reason = postgresUnavailable();
    if (reason !== undefined) t.skip(reason);
    const identity = `race:${Math.random()}`;
    const seeds = [11, 12];
    // Each instance keeps 4 advances in flight on its own pool of connections.
    await Promise.all(
      seeds.map(async (seed) => {
        const store = newStore();
        const positions = randomPositions(1000, seed);
        const lanes = [0, 1, 2, 3].map(async (lane) => {
          for (let i = lane; i < positions.length; i += 4) {
            const position = positions[i] ?? { ms: 0, seq: 0 };
            await store.advance(identity, [{ itemId: "gc-1", position }]);
          }
        });
        await Promise.all(lanes);
      }),
    );
    const expected = seeds.flatMap((seed) => randomPositions(1000, seed)).reduce(maxPosition);
    expect((await newStore().read(identity, ["gc-1"])).get("gc-1")).toEqual(expected);
  }, 60_000);
});

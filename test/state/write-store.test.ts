import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createPostgresWriteStore } from "../../src/runtime/node/postgres-write-store.js";
import { createSqliteWriteStore } from "../../src/runtime/node/sqlite-write-store.js";
import { createMemoryWriteStore } from "../../src/state/memory-write-store.js";
import type { WriteAnnouncement, WriteStore } from "../../src/state/write-store.js";
import { describeWriteStoreContract } from "../contract/write-store-contract-runner.js";
import { postgresUnavailable, usePostgresDatabase } from "../support/postgres.js";

// One contract (src/state/write-store-contract.ts), every Node backend.

describeWriteStoreContract({
  name: "memory",
  async create(now) {
    return {
      store: createMemoryWriteStore({ now }),
      // Memory keeps nothing across a restart: a new store is what a restarted process has.
      reopen: async () => createMemoryWriteStore({ now }),
    };
  },
});

const root = mkdtempSync(join(tmpdir(), "chat-list-writes-"));
let files = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeWriteStoreContract({
  name: "sqlite",
  async create(now) {
    const path = join(root, `case-${++files}`, "state.sqlite");
    return {
      store: createSqliteWriteStore({ path, now }),
      reopen: async () => createSqliteWriteStore({ path, now }),
    };
  },
});

const database = usePostgresDatabase();
const open: WriteStore[] = [];
const postgresStore = (now?: () => number) => {
  const store = createPostgresWriteStore({ url: database.url, ...(now ? { now } : {}) });
  open.push(store);
  return store;
};
afterAll(async () => {
  await Promise.all(open.map((store) => store.close()));
});

// A barrier through the server: another instance announces until `store` hears it.
// Notifications arrive in commit order, so every earlier one has arrived by then.
let barrier: WriteStore | undefined;
let barriers = 0;
async function settle(store: WriteStore): Promise<void> {
  barrier ??= postgresStore();
  const identity = `barrier:${++barriers}:${Math.random()}`;
  const heard: WriteAnnouncement[] = [];
  const stop = store.subscribe((one) => one.identity === identity && heard.push(one));
  try {
    for (let round = 0; heard.length === 0; round++) {
      if (round > 50) throw new Error("no NOTIFY round trip within 5 s");
      await barrier.announce({ identity, effect: null });
      for (let i = 0; i < 10 && heard.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    stop();
  }
}

describeWriteStoreContract({
  name: "postgres",
  unavailable: postgresUnavailable,
  settle,
  async create(now) {
    return {
      store: postgresStore(now),
      reopen: async () => postgresStore(now),
      peer: async () => postgresStore(now),
    };
  },
});

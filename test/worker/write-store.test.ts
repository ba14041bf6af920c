import { evictAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectWriteStore } from "../../src/runtime/worker/durable-object-write-store.js";
import { describeWriteStoreContract } from "../contract/write-store-contract-runner.js";

// The writes' contract inside workerd, against the READ_STATE binding of wrangler.toml. A restart
// is an eviction of every object: memory is gone, storage stays.
describeWriteStoreContract({
  name: "durable_object",
  async create(now) {
    return {
      store: createDurableObjectWriteStore(env.READ_STATE, { now }),
      async reopen() {
        await evictAllDurableObjects();
        return createDurableObjectWriteStore(env.READ_STATE, { now });
      },
    };
  },
});

describe("the ReadStateObject's writes", () => {
  it("keeps an identity's Idempotency-Key answers in the object named by that identity", async () => {
    const store = createDurableObjectWriteStore(env.READ_STATE);
    const fingerprint = "c".repeat(64);
    const times = { leaseMs: 1000, ttlMs: 60_000 };
    expect(await store.claim("portal:44", "retry-1", fingerprint, times)).toEqual({
      state: "claimed",
    });
    await store.complete("portal:44", "retry-1", fingerprint, { status: 201, body: "{}" }, 60_000);
    const stub = env.READ_STATE.get(env.READ_STATE.idFromName("portal:44"));
    const rows = await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec("SELECT key, status, body FROM idempotency_keys").toArray(),
    );
    expect(rows).toEqual([{ key: "retry-1", status: 201, body: "{}" }]);
  });

  it("refuses bad input itself, whoever calls it", async () => {
    const stub = env.READ_STATE.get(env.READ_STATE.idFromName("portal:45"));
    expect(await stub.claimWrite("a b", "c".repeat(64), 0, { leaseMs: 1, ttlMs: 1 })).toEqual({
      refused: expect.stringMatching(/idempotency key/),
    });
  });
});

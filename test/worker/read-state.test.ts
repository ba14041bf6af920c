import { evictAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectStore } from "../../src/runtime/worker/durable-object-store.js";
import { describeStoreContract } from "../contract/store-contract-runner.js";

// The contract inside workerd, against the READ_STATE binding of wrangler.toml. A restart is
// an eviction of every object: in-memory state is gone, storage stays.
describeStoreContract({
  name: "durable_object",
  async create() {
    return {
      store: createDurableObjectStore(env.READ_STATE),
      async reopen() {
        await evictAllDurableObjects();
        return createDurableObjectStore(env.READ_STATE);
      },
    };
  },
});

describe("the ReadStateObject", () => {
  it("keeps one identity's markers in the object named by that identity", async () => {
    const store = createDurableObjectStore(env.READ_STATE);
    await store.advance("portal:42", [{ itemId: "gc-1", position: { ms: 7, seq: 1 } }]);
    const stub = env.READ_STATE.get(env.READ_STATE.idFromName("portal:42"));
    const rows = await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec("SELECT item_id, ms, seq FROM read_markers").toArray(),
    );
    expect(rows).toEqual([{ item_id: "gc-1", ms: 7, seq: 1 }]);
  });

  it("refuses bad input itself, whoever calls it, and writes nothing", async () => {
    const stub = env.READ_STATE.get(env.READ_STATE.idFromName("portal:43"));
    const bad = [
      { itemId: "gc-1", position: { ms: 1, seq: 0 } },
      { itemId: "gc-2", position: { ms: -1, seq: 0 } },
    ];
    expect(await stub.advance(bad)).toEqual({
      refused: expect.stringMatching(/position\.ms must be a non-negative/),
    });
    expect(await stub.read(["gc-1", "gc-2"])).toEqual({ ok: [] });
    // The store turns a refusal back into the error every backend throws.
    await expect(
      createDurableObjectStore(env.READ_STATE).advance("portal:43", bad),
    ).rejects.toThrow(/position\.ms must be a non-negative/);
  });
});

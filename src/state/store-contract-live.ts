import { assert } from "./contract-assert.js";
import { type MarkerChange, StoreUnavailableError } from "./read-marker-store.js";
import type { StoreContractCase } from "./store-contract.js";
import { entry, shown } from "./store-contract-helpers.js";

/** Changes heard for one identity, item ids sorted (backends may list them in any order). */
function recorder(identity: string) {
  const heard: MarkerChange[] = [];
  const listener = (change: MarkerChange) => {
    if (change.identity === identity) heard.push({ identity, itemIds: [...change.itemIds].sort() });
  };
  return { heard, listener };
}

// Cases about what a store announces and how it lives: subscriptions, restarts, close.
export const liveCases: StoreContractCase[] = [
  {
    name: "subscribers hear each advance that moves a marker, once, and nothing for setIfAbsent or no-op advances",
    async run(store, ctx) {
      const me = ctx.identity("subscriber");
      const { heard, listener } = recorder(me);
      const unsubscribe = store.subscribe(listener);
      try {
        await ctx.settle(store);
        await store.setIfAbsent(me, [entry("a", "5-0")]);
        await store.advance(me, [entry("a", "4-0")]);
        await store.advance(me, [entry("a", "5-0")]);
        await store.advance(me, []);
        await ctx.settle(store);
        assert.equal(heard, [], "first sight and no-op advances announce nothing");
        await store.advance(me, [entry("a", "6-0"), entry("b", "0-0"), entry("a", "5-9")]);
        await ctx.settle(store);
        assert.equal(
          heard,
          [{ identity: me, itemIds: ["a", "b"] }],
          "one change naming both items",
        );
      } finally {
        unsubscribe();
      }
    },
  },
  {
    name: "unsubscribing stops delivery, and a listener that throws breaks neither the store nor other listeners",
    async run(store, ctx) {
      const me = ctx.identity("unsubscribe");
      const kept = recorder(me);
      const dropped = recorder(me);
      const stopKept = store.subscribe(kept.listener);
      const stopDropped = store.subscribe(dropped.listener);
      const stopThrowing = store.subscribe(() => {
        throw new Error("a broken subscriber");
      });
      try {
        await ctx.settle(store);
        const first = await store.advance(me, [entry("gc-1", "1-0")]);
        assert.equal(first.changed, ["gc-1"], "the advance succeeded despite a throwing listener");
        await ctx.settle(store);
        stopDropped();
        await store.advance(me, [entry("gc-1", "2-0")]);
        await ctx.settle(store);
        const once = { identity: me, itemIds: ["gc-1"] };
        assert.equal(kept.heard, [once, once], "the kept listener heard both");
        assert.equal(dropped.heard, [once], "the unsubscribed listener heard only the first");
      } finally {
        stopKept();
        stopThrowing();
      }
    },
  },
  {
    name: "markers survive a restart (memory is not durable and says so)",
    async run(store, ctx) {
      const me = ctx.identity("restart");
      await store.advance(me, [entry("gc-1", "1710000000001-7")]);
      await store.setIfAbsent(me, [entry("gc-2", "3-0")]);
      const reopened = await ctx.reopen(store);
      const after = shown(await reopened.read(me, ["gc-1", "gc-2"]));
      if (!store.durable) {
        assert.equal(
          { kind: store.kind, after },
          { kind: "memory", after: {} },
          "only memory forgets",
        );
        return;
      }
      assert.equal(after, { "gc-1": "1710000000001-7", "gc-2": "3-0" }, "both markers are back");
      const older = await reopened.advance(me, [entry("gc-1", "1710000000001-6")]);
      assert.equal(older.changed, [], "and still forward-only");
    },
  },
  {
    name: "a reachable store passes check, and a closed one refuses every call with StoreUnavailableError",
    async run(store, ctx) {
      const me = ctx.identity("closed");
      await store.check();
      await store.close();
      const why = "a closed store";
      await assert.rejects(store.read(me, ["a"]), StoreUnavailableError, `read on ${why}`);
      await assert.rejects(
        store.advance(me, [entry("a", "1-0")]),
        StoreUnavailableError,
        `advance on ${why}`,
      );
      await assert.rejects(
        store.setIfAbsent(me, [entry("a", "1-0")]),
        StoreUnavailableError,
        `setIfAbsent on ${why}`,
      );
      await assert.rejects(store.check(), StoreUnavailableError, `check on ${why}`);
      await store.close();
    },
  },
];

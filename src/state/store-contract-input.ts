import { assert } from "./contract-assert.js";
import { InvalidMarkerInputError, MARKER_LIMITS, type MarkerEntry } from "./read-marker-store.js";
import type { StoreContractCase } from "./store-contract.js";
import { entry, shown } from "./store-contract-helpers.js";

// Cases about the keys and the boundary: bad input writes nothing, keys are exact and isolated.
export const inputCases: StoreContractCase[] = [
  {
    name: "a batch with one bad entry writes nothing",
    async run(store, ctx) {
      const me = ctx.identity("all-or-nothing");
      const good = entry("gc-good", "100-0");
      const tooMany = Array.from({ length: MARKER_LIMITS.maxItemsPerCall + 1 }, (_, i) =>
        entry(`gc-${i}`, "1-0"),
      );
      const bad: Array<[string, unknown[]]> = [
        ["a negative seq", [good, { itemId: "gc-x", position: { ms: 1, seq: -1 } }]],
        ["a fractional ms", [good, { itemId: "gc-x", position: { ms: 1.5, seq: 0 } }]],
        ["an unsafe ms", [good, { itemId: "gc-x", position: { ms: 2 ** 53, seq: 0 } }]],
        ["a string position", [good, { itemId: "gc-x", position: "1-0" }]],
        ["an empty item id", [good, entry("", "1-0")]],
        [
          "an item id over the limit",
          [good, entry("x".repeat(MARKER_LIMITS.maxItemIdLength + 1), "1-0")],
        ],
        ["an item id with NUL", [good, entry("gc-\u0000", "1-0")]],
        ["too many entries", [good, ...tooMany]],
      ];
      for (const [what, entries] of bad) {
        for (const call of ["advance", "setIfAbsent"] as const)
          await assert.rejects(
            store[call](me, entries as MarkerEntry[]),
            InvalidMarkerInputError,
            `${call} with ${what}`,
          );
      }
      assert.equal(shown(await store.read(me, ["gc-good", "gc-0"])), {}, "nothing was written");
    },
  },
  {
    name: "refuses bad identities and item ids on every call",
    async run(store) {
      const badIdentities: unknown[] = [
        "",
        "x".repeat(MARKER_LIMITS.maxIdentityLength + 1),
        "local\ud800",
        42,
        undefined,
      ];
      for (const identity of badIdentities) {
        const id = identity as string;
        await assert.rejects(
          store.read(id, ["a"]),
          InvalidMarkerInputError,
          `read as ${String(identity).slice(0, 20)}`,
        );
        await assert.rejects(
          store.advance(id, [entry("a", "1-0")]),
          InvalidMarkerInputError,
          "advance with a bad identity",
        );
        await assert.rejects(
          store.setIfAbsent(id, [entry("a", "1-0")]),
          InvalidMarkerInputError,
          "setIfAbsent with a bad identity",
        );
      }
      await assert.rejects(
        store.read("local", [""]),
        InvalidMarkerInputError,
        "read of an empty item id",
      );
      await assert.rejects(
        store.read("local", "gc-1" as unknown as string[]),
        InvalidMarkerInputError,
        "read of a string, not a list",
      );
    },
  },
  {
    name: "identities are isolated",
    async run(store, ctx) {
      const ana = ctx.identity("ana");
      const bob = ctx.identity("bob");
      await store.advance(ana, [entry("gc-42", "9-0")]);
      assert.equal(shown(await store.read(bob, ["gc-42"])), {}, "bob sees none of ana's markers");
      await store.setIfAbsent(bob, [entry("gc-42", "1-0")]);
      await store.advance(bob, [entry("gc-42", "2-0")]);
      assert.equal(
        shown(await store.read(ana, ["gc-42"])),
        { "gc-42": "9-0" },
        "ana's is unchanged",
      );
      assert.equal(shown(await store.read(bob, ["gc-42"])), { "gc-42": "2-0" }, "bob has his own");
    },
  },
  {
    name: "keeps identities and item ids exactly as given",
    async run(store, ctx) {
      const me = ctx.identity("Ünïcode 😀 portal:42");
      const ids = ["gc-42", "GC-42", "gc-42 ", "gc-ü", "gc-u\u0308", "gc-😀", "a'b\"c;--"];
      await store.advance(
        me,
        ids.map((id, i) => entry(id, `${i + 1}-0`)),
      );
      const expected = Object.fromEntries(ids.map((id, i) => [id, `${i + 1}-0`]));
      assert.equal(shown(await store.read(me, ids)), expected, "one marker per distinct string");
      assert.equal(
        shown(await store.read(me.toLowerCase(), ids)),
        {},
        "identities are case-sensitive",
      );
    },
  },
];

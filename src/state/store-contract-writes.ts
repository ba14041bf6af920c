import { assert } from "./contract-assert.js";
import { comparePositions, formatPosition, maxPosition } from "./positions.js";
import { InvalidMarkerInputError } from "./read-marker-store.js";
import type { StoreContractCase } from "./store-contract.js";
import { entry, randomPositions, shown } from "./store-contract-helpers.js";

// Cases about what is stored: forward-only, integer order, batches, first sight, races.
export const writeCases: StoreContractCase[] = [
  {
    name: "reads only the items that have a marker",
    async run(store, ctx) {
      const me = ctx.identity("reader");
      assert.equal(shown(await store.read(me, ["gc-1", "gc-2"])), {}, "a new identity has none");
      await store.advance(me, [entry("gc-1", "1710000000001-0")]);
      const markers = await store.read(me, ["gc-1", "gc-2", "gc-1"]);
      assert.equal(shown(markers), { "gc-1": "1710000000001-0" }, "only gc-1 has a marker");
      assert.equal(shown(await store.read(me, [])), {}, "reading no items reads nothing");
    },
  },
  {
    name: "an older or equal position changes nothing",
    async run(store, ctx) {
      const me = ctx.identity("forward-only");
      const first = await store.advance(me, [entry("gc-1", "500-5")]);
      assert.equal(first.changed, ["gc-1"], "a first marker is a change");
      for (const older of ["500-4", "499-9", "0-0", "500-5"]) {
        const result = await store.advance(me, [entry("gc-1", older)]);
        assert.equal(result.changed, [], `advancing to ${older} changes nothing`);
        assert.equal(shown(result.markers), { "gc-1": "500-5" }, `${older} returns the marker`);
      }
      assert.equal(shown(await store.read(me, ["gc-1"])), { "gc-1": "500-5" }, "still 500-5");
    },
  },
  {
    name: "compares ms then seq as integers, not as strings",
    async run(store, ctx) {
      const me = ctx.identity("integers");
      await store.advance(me, [entry("a", "9-10"), entry("b", "1-9"), entry("c", "10-0")]);
      // As strings "10-2" < "9-10", "1-10" < "1-9" and "9-0" > "10-0": each would be wrong.
      const moved = await store.advance(me, [
        entry("a", "10-2"),
        entry("b", "1-10"),
        entry("c", "9-0"),
      ]);
      assert.equal([...moved.changed].sort(), ["a", "b"], "10-2 > 9-10 and 1-10 > 1-9; 9-0 < 10-0");
      assert.equal(
        shown(await store.read(me, ["a", "b", "c"])),
        { a: "10-2", b: "1-10", c: "10-0" },
        "markers after",
      );
    },
  },
  {
    name: "advances a batch in one call and reports exactly the markers that moved",
    async run(store, ctx) {
      const me = ctx.identity("batch");
      await store.advance(me, [entry("old", "20-0"), entry("new", "20-0")]);
      const result = await store.advance(me, [
        entry("old", "19-0"),
        entry("new", "21-0"),
        entry("fresh", "1-1"),
      ]);
      assert.equal([...result.changed].sort(), ["fresh", "new"], "the moved items");
      assert.equal(
        shown(result.markers),
        { old: "20-0", new: "21-0", fresh: "1-1" },
        "every entry's marker after the call",
      );
      const empty = await store.advance(me, []);
      assert.equal(
        { changed: empty.changed, markers: shown(empty.markers) },
        { changed: [], markers: {} },
        "an empty batch",
      );
    },
  },
  {
    name: "repeated item ids in one batch keep the greatest position",
    async run(store, ctx) {
      const me = ctx.identity("repeats");
      const result = await store.advance(me, [
        entry("a", "5-0"),
        entry("a", "7-3"),
        entry("a", "6-9"),
      ]);
      assert.equal(
        { changed: result.changed, markers: shown(result.markers) },
        { changed: ["a"], markers: { a: "7-3" } },
        "one change to the greatest",
      );
      const first = await store.setIfAbsent(me, [entry("b", "2-0"), entry("b", "3-0")]);
      assert.equal(shown(first), { b: "3-0" }, "setIfAbsent keeps the greatest too");
    },
  },
  {
    name: "setIfAbsent stores first-sight markers and never moves an existing one",
    async run(store, ctx) {
      const me = ctx.identity("first-sight");
      await store.advance(me, [entry("seen", "50-0")]);
      const after = await store.setIfAbsent(me, [entry("seen", "90-0"), entry("new", "30-0")]);
      assert.equal(shown(after), { seen: "50-0", new: "30-0" }, "only the item without one is set");
      const again = await store.setIfAbsent(me, [entry("new", "10-0"), entry("seen", "1-0")]);
      assert.equal(shown(again), { seen: "50-0", new: "30-0" }, "neither forward nor back");
      const older = await store.advance(me, [entry("new", "20-0")]);
      assert.equal(older.changed, [], "a first-sight marker is forward-only too");
    },
  },
  {
    name: "round-trips positions up to Number.MAX_SAFE_INTEGER exactly",
    async run(store, ctx) {
      const me = ctx.identity("big");
      const max = Number.MAX_SAFE_INTEGER;
      await store.advance(me, [{ itemId: "a", position: { ms: max - 1, seq: max } }]);
      const moved = await store.advance(me, [{ itemId: "a", position: { ms: max, seq: 0 } }]);
      assert.equal(moved.changed, ["a"], "ms decides before seq, even near 2^53");
      assert.equal(shown(await store.read(me, ["a"])), { a: `${max}-0` }, "no precision lost");
    },
  },
  {
    name: "concurrent advances in one process end at the maximum",
    async run(store, ctx) {
      const me = ctx.identity("race");
      const positions = randomPositions(200, 12);
      const results = await Promise.all(
        positions.map((position) => store.advance(me, [{ itemId: "gc-1", position }])),
      );
      const expected = positions.reduce(maxPosition);
      assert.equal(
        shown(await store.read(me, ["gc-1"])),
        { "gc-1": formatPosition(expected) },
        "the maximum wins",
      );
      results.forEach((result, i) => {
        const after = result.markers.get("gc-1");
        const sent = positions[i];
        assert.ok(
          after && sent && comparePositions(after, sent) >= 0,
          `call ${i} returned a marker before what it sent`,
        );
      });
    },
  },
  {
    name: "advanceAll writes several identities' markers in one transaction, or none of them",
    async run(store, ctx) {
      // Optional: a backend whose identities live apart (the Durable Object) has none.
      if (store.advanceAll === undefined) return;
      const phone = ctx.identity("all-portal");
      const desk = ctx.identity("all-local");
      const results = await store.advanceAll([
        { identity: phone, entries: [entry("gc-42", "10-0")] },
        { identity: desk, entries: [entry("gc-project", "20-0"), entry("gc-other", "5-0")] },
      ]);
      assert.equal(
        results.map((result) => ({
          changed: [...result.changed].sort(),
          at: shown(result.markers),
        })),
        [
          { changed: ["gc-42"], at: { "gc-42": "10-0" } },
          {
            changed: ["gc-other", "gc-project"],
            at: { "gc-project": "20-0", "gc-other": "5-0" },
          },
        ],
        "each identity's result, in order",
      );
      // One refused batch refuses the call: the other identity's markers stay where they were.
      await assert.rejects(
        store.advanceAll([
          { identity: phone, entries: [entry("gc-42", "11-0")] },
          { identity: desk, entries: [{ itemId: "", position: { ms: 1, seq: 0 } }] },
        ]),
        InvalidMarkerInputError,
        "an empty item id",
      );
      assert.equal(shown(await store.read(phone, ["gc-42"])), { "gc-42": "10-0" }, "not moved");
    },
  },
];

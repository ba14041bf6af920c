import { describe, expect, it } from "vitest";
import { createEchoFilter, parseNotification } from "../../src/runtime/node/postgres-echoes.js";
import type { MarkerChange } from "../../src/state/read-marker-store.js";

function setup() {
  let clock = 0;
  const emitted: MarkerChange[] = [];
  const filter = createEchoFilter(
    (change) => emitted.push(change),
    () => clock,
  );
  return { filter, emitted, advanceClock: (ms: number) => (clock += ms) };
}
const change = (identity: string, ...itemIds: string[]) => ({ identity, itemIds });

describe("the postgres echo filter", () => {
  it("drops the echo of an own change that arrives after its result", () => {
    const { filter, emitted } = setup();
    filter.track("portal:1")(change("portal:1", "b", "a"));
    filter.heard(change("portal:1", "a", "b"));
    expect(emitted).toEqual([]);
  });

  it("holds an identity's notifications while its own advance is in flight, then drops the echo", () => {
    const { filter, emitted } = setup();
    const done = filter.track("portal:1");
    filter.heard(change("portal:1", "a"));
    filter.heard(change("portal:2", "x")); // another identity is not held
    expect(emitted).toEqual([change("portal:2", "x")]);
    done(change("portal:1", "a"));
    expect(emitted).toEqual([change("portal:2", "x")]);
  });

  it("passes other instances' changes, also identical ones after the own echo", () => {
    const { filter, emitted } = setup();
    filter.track("portal:1")(change("portal:1", "a"));
    filter.heard(change("portal:1", "a")); // the echo
    filter.heard(change("portal:1", "a")); // the same change made elsewhere
    expect(emitted).toEqual([change("portal:1", "a")]);
  });

  it("releases held notifications when an advance fails, and forgets echoes after 2 s", () => {
    const { filter, emitted, advanceClock } = setup();
    const failed = filter.track("portal:1");
    filter.heard(change("portal:1", "a"));
    failed();
    expect(emitted).toEqual([change("portal:1", "a")]);
    filter.track("portal:1")(change("portal:1", "b"));
    advanceClock(2_000);
    filter.heard(change("portal:1", "b")); // too late to be taken for the echo: heard twice
    expect(emitted).toEqual([change("portal:1", "a"), change("portal:1", "b")]);
  });

  it("reads only well-formed payloads", () => {
    expect(parseNotification('{"identity":"local","itemIds":["gc-1"]}')).toEqual(
      change("local", "gc-1"),
    );
    for (const bad of [
      "",
      "nope",
      "null",
      '{"identity":1,"itemIds":[]}',
      '{"identity":"a","itemIds":[1]}',
    ])
      expect(parseNotification(bad), bad).toBeUndefined();
  });
});

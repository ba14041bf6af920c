import { describe, expect, it } from "vitest";
import { createListBodies, listBody } from "../../src/http/chat-list/list-body.js";
import type { Collected } from "../../src/sources/collect.js";
import type { MarkerSnapshot } from "../../src/state/read-state.js";

const report = (ageMs: number) => ({
  name: "executors",
  kind: "executor_registry",
  status: "ok" as const,
  item_count: 0,
  duration_ms: 0,
  age_ms: ageMs,
  error: null,
  note: null,
});
const markers = (version: string): MarkerSnapshot => ({
  markersOf: () => undefined,
  version,
  unavailable: null,
});

describe("a live feed's list bodies (issue 26)", () => {
  it("reuse the merged items while every source answered the same and the markers did not move", () => {
    const bodies = createListBodies();
    const items: Collected["items"] = [];
    const first = bodies([{ report: report(1), items, dropped: 0 }], markers("a@1"), null);
    const again = bodies([{ report: report(2), items, dropped: 0 }], markers("a@1"), null);
    expect(again.items).toBe(first.items);
    expect(again.counts).toBe(first.counts);
    // The source reports are this load's: fresher ages.
    expect(again.sources[0]?.age_ms).toBe(2);
    expect(again).toEqual(
      listBody([{ report: report(2), items, dropped: 0 }], markers("a@1"), null),
    );
  });

  it("build them again when a source's result or the markers changed", () => {
    const bodies = createListBodies();
    const items: Collected["items"] = [];
    const first = bodies([{ report: report(1), items, dropped: 0 }], markers("a@1"), null);
    const newItems = bodies([{ report: report(1), items: [], dropped: 0 }], markers("a@1"), null);
    expect(newItems.items).not.toBe(first.items);
    const newMarkers = bodies([{ report: report(1), items: [], dropped: 0 }], markers("a@2"), null);
    expect(newMarkers.items).not.toBe(newItems.items);
  });
});

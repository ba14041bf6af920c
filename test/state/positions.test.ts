import { describe, expect, it } from "vitest";
import {
  comparePositions,
  formatPosition,
  maxPosition,
  parsePosition,
} from "../../src/state/positions.js";

describe("parsePosition", () => {
  it("reads a stream id as two integers", () => {
    expect(parsePosition("1710000000001-0")).toEqual({ ms: 1710000000001, seq: 0 });
    expect(parsePosition(" 0-12 ")).toEqual({ ms: 0, seq: 12 });
    expect(parsePosition("007-010")).toEqual({ ms: 7, seq: 10 });
  });

  it("reads an ISO-8601 timestamp as its epoch milliseconds with seq 0", () => {
    expect(parsePosition("2024-03-09T16:00:00.001Z")).toEqual({ ms: 1710000000001, seq: 0 });
    expect(parsePosition("2024-03-09T17:00:00+01:00")).toEqual({ ms: 1710000000000, seq: 0 });
  });

  it("refuses parts that are not safe integers", () => {
    expect(parsePosition(`${2 ** 53}-0`)).toBeNull();
    expect(parsePosition(`0-${2 ** 53}`)).toBeNull();
    expect(parsePosition(`${Number.MAX_SAFE_INTEGER}-${Number.MAX_SAFE_INTEGER}`)).toEqual({
      ms: Number.MAX_SAFE_INTEGER,
      seq: Number.MAX_SAFE_INTEGER,
    });
  });

  it("refuses everything else, bare numbers included", () => {
    for (const text of [
      "",
      "1710000000000",
      "-1-0",
      "1-",
      "-1",
      "1-2-3",
      "1.5-0",
      "1e3-0",
      "a-b",
      "2024-02-30T00:00:00Z",
      "1-0x",
    ])
      expect(parsePosition(text), text).toBeNull();
  });
});

describe("comparePositions", () => {
  it("orders by ms, then seq, as integers", () => {
    const sorted = ["10-2", "9-10", "1-10", "1-9", "0-0", "100-0"]
      .map((text) => parsePosition(text) ?? { ms: -1, seq: -1 })
      .sort(comparePositions)
      .map(formatPosition);
    expect(sorted).toEqual(["0-0", "1-9", "1-10", "9-10", "10-2", "100-0"]);
  });

  it("is zero only for equal positions", () => {
    expect(comparePositions({ ms: 3, seq: 4 }, { ms: 3, seq: 4 })).toBe(0);
    expect(comparePositions({ ms: 3, seq: 5 }, { ms: 3, seq: 4 })).toBeGreaterThan(0);
    expect(comparePositions({ ms: 2, seq: 99 }, { ms: 3, seq: 0 })).toBeLessThan(0);
  });
});

describe("maxPosition and formatPosition", () => {
  it("picks the later position", () => {
    expect(maxPosition({ ms: 9, seq: 10 }, { ms: 10, seq: 2 })).toEqual({ ms: 10, seq: 2 });
    expect(maxPosition({ ms: 1, seq: 10 }, { ms: 1, seq: 9 })).toEqual({ ms: 1, seq: 10 });
  });

  it("formats what parsePosition reads back", () => {
    const position = { ms: 1710000000001, seq: 3 };
    expect(formatPosition(position)).toBe("1710000000001-3");
    expect(parsePosition(formatPosition(position))).toEqual(position);
  });
});

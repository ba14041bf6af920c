import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newest, streamIdMs, toEpochMs, toIso } from "../../src/core/timestamps.js";

// 2024-03-09T16:00:00.000Z
const MS = 1_710_000_000_000;
// 2024-03-10T12:00:00.000Z
const NOON = Date.UTC(2024, 2, 10, 12, 0, 0);

describe("toEpochMs with ISO-8601 strings", () => {
  it("reads a UTC 'Z' time", () => {
    expect(toEpochMs("2024-03-10T12:00:00Z")).toBe(NOON);
  });

  it("reads fractional seconds", () => {
    expect(toEpochMs("2024-03-10T12:00:00.250Z")).toBe(NOON + 250);
  });

  it("applies a positive offset", () => {
    expect(toEpochMs("2024-03-10T12:00:00+01:00")).toBe(NOON - 3_600_000);
  });

  it("applies a negative offset", () => {
    expect(toEpochMs("2024-03-10T12:00:00-05:30")).toBe(NOON + 5.5 * 3_600_000);
  });

  it("applies an offset written without a colon", () => {
    expect(toEpochMs("2024-03-10T12:00:00+0100")).toBe(NOON - 3_600_000);
  });

  it("ignores surrounding whitespace", () => {
    expect(toEpochMs("  2024-03-10T12:00:00Z\n")).toBe(NOON);
  });
});

describe("toEpochMs with zone-less ISO strings, on a host whose local zone is not UTC", () => {
  // Node re-reads TZ when it changes, so local-time parsing would show up as a 5-hour shift.
  const savedTz = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = "America/New_York";
  });
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it("runs in a non-UTC local zone", () => {
    expect(new Date(NOON).getTimezoneOffset()).not.toBe(0);
  });

  it("reads a date-time without a zone as UTC, not local time", () => {
    expect(toEpochMs("2024-03-10T12:00:00")).toBe(NOON);
  });

  it("reads a zone-less date-time with a space separator as UTC", () => {
    expect(toEpochMs("2024-03-10 12:00:00")).toBe(NOON);
  });

  it("reads a date-time without seconds as UTC", () => {
    expect(toEpochMs("2024-03-10T12:00")).toBe(NOON);
  });

  it("reads a bare date as UTC midnight", () => {
    expect(toEpochMs("2024-03-10")).toBe(Date.UTC(2024, 2, 10));
  });
});

describe("toEpochMs with epoch numbers", () => {
  it("reads a 13-digit number as milliseconds", () => {
    expect(toEpochMs(MS)).toBe(MS);
  });

  it("reads a 10-digit number as seconds", () => {
    expect(toEpochMs(1_710_000_000)).toBe(MS);
  });

  it("keeps the millisecond part of fractional seconds", () => {
    expect(toEpochMs(1_710_000_000.5)).toBe(MS + 500);
  });

  it("reads a numeric string of milliseconds", () => {
    expect(toEpochMs("1710000000000")).toBe(MS);
  });

  it("reads a numeric string of seconds", () => {
    expect(toEpochMs("1710000000")).toBe(MS);
  });
});

describe("toEpochMs with Redis stream ids", () => {
  it("reads the milliseconds before the dash", () => {
    expect(toEpochMs("1710000000000-0")).toBe(MS);
  });

  it("ignores the sequence number", () => {
    expect(toEpochMs("1710000000000-42")).toBe(MS);
  });
});

describe("toEpochMs rejects what is not a timestamp", () => {
  it.each([
    ["an empty string", ""],
    ["blank text", "   "],
    ["words", "yesterday"],
    ["a month 13", "2024-13-01T00:00:00Z"],
    ["an hour 25", "2024-03-10T25:00:00Z"],
    ["a date before 1970", "1969-12-31T23:59:59Z"],
    ["a signed numeric string", "-1710000000"],
    ["a numeric string in exponent form", "1e12"],
    ["a stream id without a sequence", "1710000000000-"],
    ["a stream id with a non-numeric part", "abc-0"],
    ["a negative number", -1],
    ["a negative millisecond number", -MS],
    ["a number past the year 9999", 1e20],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["null", null],
    ["undefined", undefined],
    ["a boolean", true],
    ["an object", { seconds: 1_710_000_000 }],
    ["an array", [MS]],
    ["a Date object", new Date(MS)],
  ])("gives null for %s", (_label, value) => {
    expect(toEpochMs(value)).toBeNull();
  });

  it("gives null for an impossible calendar date such as February 30", () => {
    expect(toEpochMs("2024-02-30T00:00:00Z")).toBeNull();
  });
});

describe("streamIdMs", () => {
  it("reads the milliseconds of a stream id", () => {
    expect(streamIdMs("1710000000000-0")).toBe(MS);
  });

  it("gives null for an ISO string", () => {
    expect(streamIdMs("2024-03-10T12:00:00Z")).toBeNull();
  });

  it("gives null for a number", () => {
    expect(streamIdMs(MS)).toBeNull();
  });
});

describe("toIso", () => {
  it("emits the canonical UTC form with milliseconds and Z", () => {
    expect(toIso(MS)).toBe("2024-03-09T16:00:00.000Z");
  });

  it("passes null through", () => {
    expect(toIso(null)).toBeNull();
  });

  it("gives one spelling for one instant written with different offsets", () => {
    const a = toIso(toEpochMs("2024-03-10T13:00:00+01:00"));
    const b = toIso(toEpochMs("2024-03-10T12:00:00Z"));
    const c = toIso(toEpochMs(1_710_072_000));
    expect([a, b, c]).toEqual([
      "2024-03-10T12:00:00.000Z",
      "2024-03-10T12:00:00.000Z",
      "2024-03-10T12:00:00.000Z",
    ]);
  });
});

describe("newest", () => {
  it("picks the greatest value and ignores nulls", () => {
    expect(newest([3, null, 9, 1])).toBe(9);
  });

  it("gives null when every value is null", () => {
    expect(newest([null, null])).toBeNull();
  });

  it("gives null for no values", () => {
    expect(newest([])).toBeNull();
  });
});

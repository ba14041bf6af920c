import { describe, expect, it } from "vitest";
import { createJsonLogger } from "../../src/core/logger.js";

describe("the JSON logger", () => {
  it("writes one JSON object per event: time and level first, then the event's fields", () => {
    const lines: string[] = [];
    let now = Date.UTC(2026, 11, 2, 6, 30, 0, 123);
    const logger = createJsonLogger(
      (line) => lines.push(line),
      () => now,
    );
    logger.info({ event: "request", status: 200, sources: [{ name: "portal", ms: 1.5 }] });
    now += 1;
    logger.warn({});
    logger.error({ event: "odd", text: 'quote " and\nnewline', skipped: undefined });
    expect(lines.every((line) => !line.includes("\n"))).toBe(true);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        time: "2026-12-02T06:30:00.123Z",
        level: "info",
        event: "request",
        status: 200,
        sources: [{ name: "portal", ms: 1.5 }],
      },
      { time: "2026-12-02T06:30:00.124Z", level: "warn" },
      {
        time: "2026-12-02T06:30:00.124Z",
        level: "error",
        event: "odd",
        text: 'quote " and\nnewline',
      },
    ]);
    expect(Object.keys(JSON.parse(lines[0] as string)).slice(0, 2)).toEqual(["time", "level"]);
  });
});

import { describe, expect, it } from "vitest";
import {
  isComplete,
  outcomeOf,
  serverTiming,
} from "../../src/http/chat-list/chat-list.response.js";
import type { SourceReport, SourceStatus } from "../../src/sources/collect.js";

function report(name: string, status: SourceStatus, duration_ms = 0): SourceReport {
  return {
    name,
    kind: "executor_registry",
    status,
    item_count: 0,
    duration_ms,
    age_ms: null,
    error: null,
    note: null,
  };
}

function reports(...statuses: SourceStatus[]): SourceReport[] {
  return statuses.map((status, index) => report(`source-${index}`, status));
}

describe("outcomeOf", () => {
  it.each<{ when: string; statuses: SourceStatus[]; expected: ReturnType<typeof outcomeOf> }>([
    { when: "every source skipped", statuses: ["skipped", "skipped"], expected: "ok" },
    { when: "no sources at all", statuses: [], expected: "ok" },
    {
      when: "one ok among failures",
      statuses: ["error", "ok", "timeout", "unauthorized"],
      expected: "ok",
    },
    { when: "one stale among failures", statuses: ["timeout", "stale", "error"], expected: "ok" },
    { when: "only stale sources", statuses: ["stale", "stale"], expected: "ok" },
    {
      when: "every source unauthorized",
      statuses: ["unauthorized", "unauthorized"],
      expected: "unauthorized",
    },
    {
      when: "unauthorized and skipped only",
      statuses: ["skipped", "unauthorized", "skipped"],
      expected: "unauthorized",
    },
    {
      when: "every source timed out",
      statuses: ["timeout", "timeout", "timeout"],
      expected: "upstream_timeout",
    },
    {
      when: "timeouts and skipped only",
      statuses: ["timeout", "skipped"],
      expected: "upstream_timeout",
    },
    {
      when: "a mix of timeout and error",
      statuses: ["timeout", "error"],
      expected: "upstream_error",
    },
    {
      when: "a mix of unauthorized and timeout",
      statuses: ["unauthorized", "timeout"],
      expected: "upstream_error",
    },
    {
      when: "a mix of unauthorized and error",
      statuses: ["unauthorized", "error"],
      expected: "upstream_error",
    },
    { when: "every source errored", statuses: ["error", "error"], expected: "upstream_error" },
    { when: "errors and skipped only", statuses: ["skipped", "error"], expected: "upstream_error" },
  ])("is $expected when $when", ({ statuses, expected }) => {
    expect(outcomeOf(reports(...statuses))).toBe(expected);
  });
});

describe("isComplete", () => {
  it("is true when every source is ok or skipped", () => {
    expect(isComplete(reports("ok", "skipped", "ok"))).toBe(true);
  });

  it("is true when every source is skipped", () => {
    expect(isComplete(reports("skipped"))).toBe(true);
  });

  it.each<SourceStatus>(["stale", "error", "timeout", "unauthorized"])(
    "is false when one source is %s",
    (status) => {
      expect(isComplete(reports("ok", status, "skipped"))).toBe(false);
    },
  );
});

describe("serverTiming", () => {
  it("has one entry per source, in order, then total", () => {
    const list = [
      report("portal", "ok", 41.2),
      report("viben-executors", "timeout", 800),
      report("viben-agents", "skipped", 0),
    ];
    expect(serverTiming(list, 812.3)).toBe(
      'portal;dur=41.2;desc="ok", viben-executors;dur=800;desc="timeout", ' +
        'viben-agents;dur=0;desc="skipped", total;dur=812.3',
    );
  });

  it("rounds the total to a tenth of a millisecond", () => {
    expect(serverTiming([], 12.3456)).toBe("total;dur=12.3");
  });
});

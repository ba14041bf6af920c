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

/** A collected entry for `outcomeOf`: "skipped-no-credentials" is a source skipped because the
 * caller sent nothing to ask it with (a portal without a psession cookie). */
type Entry = SourceStatus | "skipped-no-credentials";

function collected(...entries: Entry[]) {
  return entries.map((entry, index) =>
    entry === "skipped-no-credentials"
      ? { report: report(`source-${index}`, "skipped"), missingCredentials: true as const }
      : { report: report(`source-${index}`, entry) },
  );
}

describe("outcomeOf", () => {
  it.each<{ when: string; entries: Entry[]; expected: ReturnType<typeof outcomeOf> }>([
    { when: "every source skipped", entries: ["skipped", "skipped"], expected: "ok" },
    { when: "no sources at all", entries: [], expected: "ok" },
    {
      when: "one ok among failures",
      entries: ["error", "ok", "timeout", "unauthorized"],
      expected: "ok",
    },
    { when: "one stale among failures", entries: ["timeout", "stale", "error"], expected: "ok" },
    { when: "only stale sources", entries: ["stale", "stale"], expected: "ok" },
    {
      when: "one ok and a source skipped for missing credentials",
      entries: ["skipped-no-credentials", "ok"],
      expected: "ok",
    },
    {
      when: "every source unauthorized",
      entries: ["unauthorized", "unauthorized"],
      expected: "unauthorized",
    },
    {
      when: "unauthorized and skipped only",
      entries: ["skipped", "unauthorized", "skipped"],
      expected: "unauthorized",
    },
    {
      when: "the only source was skipped for missing credentials",
      entries: ["skipped-no-credentials"],
      expected: "unauthorized",
    },
    {
      when: "skipped for missing credentials and the others skipped",
      entries: ["skipped", "skipped-no-credentials"],
      expected: "unauthorized",
    },
    {
      when: "skipped for missing credentials and the others failed",
      entries: ["skipped-no-credentials", "error", "timeout"],
      expected: "unauthorized",
    },
    {
      when: "a mix of unauthorized and timeout",
      entries: ["unauthorized", "timeout"],
      expected: "unauthorized",
    },
    {
      when: "a mix of unauthorized and error",
      entries: ["unauthorized", "error"],
      expected: "unauthorized",
    },
    {
      when: "every source timed out",
      entries: ["timeout", "timeout", "timeout"],
      expected: "upstream_timeout",
    },
    {
      when: "timeouts and skipped only",
      entries: ["timeout", "skipped"],
      expected: "upstream_timeout",
    },
    {
      when: "a mix of timeout and error",
      entries: ["timeout", "error"],
      expected: "upstream_error",
    },
    { when: "every source errored", entries: ["error", "error"], expected: "upstream_error" },
    { when: "errors and skipped only", entries: ["skipped", "error"], expected: "upstream_error" },
  ])("is $expected when $when", ({ entries, expected }) => {
    expect(outcomeOf(collected(...entries))).toBe(expected);
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

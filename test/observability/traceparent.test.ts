import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent } from "../../src/observability/traceparent.js";
import { startRequestSpan, traceparentFor, UNTRACED } from "../../src/observability/tracing.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("W3C traceparent", () => {
  it("reads a valid header as a remote parent and writes it back unchanged", () => {
    for (const flags of ["00", "01"]) {
      const header = `00-${TRACE}-${SPAN}-${flags}`;
      const parsed = parseTraceparent(header);
      expect(parsed).toEqual({
        traceId: TRACE,
        spanId: SPAN,
        traceFlags: Number(flags),
        isRemote: true,
      });
      expect(formatTraceparent(parsed as NonNullable<typeof parsed>)).toBe(header);
    }
  });

  it.each([
    ["absent", undefined],
    ["not hex", `00-${TRACE.replace("4", "g")}-${SPAN}-01`],
    ["upper case", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["an all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["version 00 with more fields", `00-${TRACE}-${SPAN}-01-extra`],
    ["too short", `00-${TRACE}-${SPAN.slice(1)}-01`],
  ])("ignores a header that is %s", (_, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it("reads a later version's first four fields and ignores the rest", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-future`)?.traceId).toBe(TRACE);
  });

  it("without an SDK, forwards the client's own header from a request's context", () => {
    const request = startRequestSpan("GET /x", `00-${TRACE}-${SPAN}-01`, {});
    expect(traceparentFor(request.context)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(traceparentFor(startRequestSpan("GET /x", undefined, {}).context)).toBeUndefined();
    expect(traceparentFor(UNTRACED)).toBeUndefined();
    expect(trace.getSpanContext(ROOT_CONTEXT)).toBeUndefined();
  });
});

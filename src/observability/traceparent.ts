import type { SpanContext } from "@opentelemetry/api";

// version "-" trace-id "-" parent-id "-" trace-flags (W3C Trace Context, level 1).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/**
 * The span context a W3C `traceparent` header names, marked remote; null when the header is
 * absent or malformed (then the request starts a trace of its own). A later version's extra
 * fields are ignored, as the spec asks; version 00 allows none, and ff is invalid.
 */
export function parseTraceparent(header: string | undefined): SpanContext | null {
  if (header === undefined || header.length > 512) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return null;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
}

/** The `traceparent` header that names `span` as the parent of the next hop. */
export function formatTraceparent(span: SpanContext): string {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

import {
  type Attributes,
  type Context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { formatTraceparent, parseTraceparent } from "./traceparent.js";

/**
 * Where a piece of work sits in a trace: an OpenTelemetry context, passed by hand from the
 * request to the work it causes (source loads, history batches, marker writes, upstream calls).
 * Passed explicitly rather than through a context manager, so it works the same on Node and on
 * Workers, and costs nothing to keep when no SDK is registered.
 */
export type TraceContext = Context;

/** Work that belongs to no request (a live feed's refresh loop): no parent, no spans. */
export const UNTRACED: TraceContext = ROOT_CONTEXT;

const TRACER_NAME = "chat-list-gateway";

/** The OpenTelemetry API's tracer: a no-op until a runtime registers an SDK (the Node entry
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set, or a Workers OpenTelemetry library). Asked for on
 * every span rather than kept, so a provider registered later (or again, in tests) is used. */
const tracer = () => trace.getTracer(TRACER_NAME);

/**
 * The `traceparent` to send an upstream on behalf of `context`: its span when an SDK records
 * one, else the client's own header unchanged (the no-op API keeps the remote span context),
 * so a gateway that is not exporting does not break the client's trace. Undefined when there
 * is no trace at all.
 */
export function traceparentFor(context: TraceContext): string | undefined {
  const span = trace.getSpanContext(context);
  return span !== undefined && isSpanContextValid(span) ? formatTraceparent(span) : undefined;
}

/** The trace id `context` belongs to, for log lines; undefined outside a trace. */
export function traceIdOf(context: TraceContext | undefined): string | undefined {
  const span = context === undefined ? undefined : trace.getSpanContext(context);
  return span !== undefined && isSpanContextValid(span) ? span.traceId : undefined;
}

export interface StartedSpan {
  span: Span;
  /** `parent` with this span in it: the parent of the work the span covers. */
  context: TraceContext;
}

/**
 * Starts the span of one request, under the client's `traceparent` when it sent a valid one
 * (else at the root of a new trace). With no SDK and no `traceparent` there is no trace at
 * all: the request's context is then UNTRACED, so the work under it starts no spans either.
 */
export function startRequestSpan(
  name: string,
  traceparent: string | undefined,
  attributes: Attributes,
): StartedSpan {
  const remote = parseTraceparent(traceparent);
  const parent = remote === null ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remote);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  const traced = span.isRecording() || isSpanContextValid(span.spanContext());
  return { span, context: traced ? trace.setSpan(parent, span) : UNTRACED };
}

/**
 * Starts a span under `parent`; nothing for UNTRACED work, so a live feed's refresh loop does
 * not open a new trace every few seconds.
 */
export function startSpan(
  name: string,
  parent: TraceContext,
  attributes?: Attributes,
): StartedSpan | null {
  if (parent === UNTRACED) return null;
  const span = tracer().startSpan(name, attributes ? { attributes } : {}, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a span, marking it failed with a reason that is safe to show (never a stack). */
export function endSpan(started: StartedSpan | null, failure?: string | null): void {
  if (started === null) return;
  if (failure) started.span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
  started.span.end();
}

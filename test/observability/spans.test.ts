import { randomBytes } from "node:crypto";
import { trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../src/runtime/node/prometheus-metrics.js";
import { startFakePortal } from "../support/fake-portal.js";
import { parseScrape, sampleValue } from "../support/prometheus.js";
import { useResources } from "../support/resources.js";
import { openSse } from "../support/sse-client.js";

// An SDK registered in this test process, exporting to memory: what the Node entry does with
// OTLP, without the export.
const exported = new InMemorySpanExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: exported })] }),
  );
});
afterAll(() => trace.disable());
beforeEach(() => exported.reset());

const { upstream, gateway } = useResources();

const newTraceparent = () =>
  `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
const named = (name: string) =>
  exported.getFinishedSpans().find((span) => span.name === name) as ReadableSpan;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

async function portalGateway() {
  const { server } = await startFakePortal(upstream);
  const metrics = createPrometheusMetrics({ processMetrics: false });
  const gw = await gateway(
    {
      sources: [{ kind: "portal", name: "portal", baseUrl: server.url }],
      state: { kind: "memory" },
    },
    { metrics },
  );
  return { server, gw, metrics };
}

describe("spans for the work a request causes", () => {
  it("gives a portal load's history batch a span, whose id its history calls carry", async () => {
    const { server, gw } = await portalGateway();
    const traceparent = newTraceparent();
    const answer = await gw.get("/api/chat-list", {
      psession: "ana-phone",
      headers: { traceparent },
    });
    expect(answer.status).toBe(200);

    const request = named("GET /api/chat-list");
    const portal = named("source portal");
    const history = named("portal history");
    expect(request.spanContext().traceId).toBe(traceparent.split("-")[1]);
    expect(parentOf(portal)).toBe(idOf(request));
    expect(parentOf(history)).toBe(idOf(portal));
    expect(history.attributes).toMatchObject({ "chat_list.history.admitted": 1 });
    const historyCall = server.callsTo("/v1/portal/chats/10/history")[0];
    expect(historyCall?.headers.traceparent).toContain(`-${idOf(history)}-`);
    // The list call and who-am-I are the portal load's own calls.
    expect(server.callsTo("/v1/portal/chats")[0]?.headers.traceparent).toContain(
      `-${idOf(portal)}-`,
    );
    // First sight of chat 10 stores its marker, under the request.
    expect(parentOf(named("read-markers first-sight"))).toBe(idOf(request));
  });

  it("traces and counts a mark: the advance under POST /read's span", async () => {
    const { gw, metrics } = await portalGateway();
    const traceparent = newTraceparent();
    const answer = await fetch(`${gw.url}/api/chat-list/read`, {
      method: "POST",
      headers: { cookie: "psession=bo", "content-type": "application/json", traceparent },
      body: JSON.stringify({ items: [{ id: "gc-10" }] }),
    });
    expect(answer.status).toBe(200);
    const request = named("POST /api/chat-list/read");
    expect(parentOf(named("read-markers advance"))).toBe(idOf(request));
    const samples = parseScrape((await metrics.scrape?.())?.body ?? "");
    const writes = (kind: string) =>
      sampleValue(samples, "chat_list_read_marker_writes_total", { kind, result: "ok" });
    expect(writes("advance")).toBe(1);
    expect(writes("first_sight")).toBe(1);
  });

  it("spans a stream's whole lifetime, with its first list's loads under it", async () => {
    const { gw, metrics } = await portalGateway();
    const stream = await openSse(`${gw.url}/api/chat-list/stream`, {
      cookie: "psession=ana-phone",
      traceparent: newTraceparent(),
    });
    await stream.next((event) => event.event === "snapshot", 3000);
    const open = parseScrape((await metrics.scrape?.())?.body ?? "");
    expect(sampleValue(open, "chat_list_live_streams")).toBe(1);
    expect(exported.getFinishedSpans().some((span) => span.name === "live stream")).toBe(false);
    stream.close();
    const end = Date.now() + 3000;
    while (!exported.getFinishedSpans().some((span) => span.name === "live stream")) {
      if (Date.now() > end) throw new Error("the stream's span never ended");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const lifetime = named("live stream");
    expect(parentOf(lifetime)).toBe(idOf(named("GET /api/chat-list/stream")));
    expect(lifetime.attributes["chat_list.stream.end"]).toBe("cancelled");
    expect(parentOf(named("source portal"))).toBe(idOf(lifetime));
  });

  it("starts a trace of its own for a request without a valid traceparent", async () => {
    const { gw } = await portalGateway();
    await gw.get("/api/chat-list", { psession: "ana-phone", headers: { traceparent: "00-zz-1" } });
    const request = named("GET /api/chat-list");
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

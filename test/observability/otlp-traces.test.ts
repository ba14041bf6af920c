import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startFakePortal } from "../support/fake-portal.js";
import { useNodeEntry } from "../support/node-entry.js";
import { type ReceivedSpan, startOtlpReceiver } from "../support/otlp-receiver.js";
import { parseScrape, sampleValue } from "../support/prometheus.js";
import { executorsReply, useResources } from "../support/resources.js";

const { upstream } = useResources();
const startEntry = useNodeEntry();
const receivers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

const SERVER = 2; // OTLP SpanKind
const ERROR = 2; // OTLP StatusCode

async function spansOf(spans: ReceivedSpan[], expected: number, ms = 10_000) {
  const end = Date.now() + ms;
  while (spans.length < expected && Date.now() < end)
    await new Promise((resolve) => setTimeout(resolve, 25));
  return spans;
}

describe("traces from the Node entry, exported over OTLP/HTTP", () => {
  it("continues the client's trace: one request span, a span per source with its status, the trace passed upstream", async () => {
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const store = await upstream({ "/agents": { status: 500, json: { detail: "down" } } });
    const slow = await upstream({ "/group-chats": { hang: true } });
    const config = {
      sources: [
        { kind: "executor_registry", name: "executors", baseUrl: registry.url, timeoutMs: 2000 },
        { kind: "agent_store", name: "agents", baseUrl: store.url, timeoutMs: 2000 },
        { kind: "group_chat_store", name: "slow", baseUrl: slow.url, timeoutMs: 300 },
      ],
    };
    const run = startEntry({
      CHAT_LIST_CONFIG_JSON: JSON.stringify(config),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: "50",
    });
    const listUrl = await run.listening;

    const traceId = randomBytes(16).toString("hex");
    const clientSpanId = randomBytes(8).toString("hex");
    const answer = await fetch(`${listUrl}?workspace_path=/home/secret-user/proj`, {
      headers: { traceparent: `00-${traceId}-${clientSpanId}-01`, cookie: "psession=hunter2" },
    });
    expect(answer.status).toBe(200);

    const spans = await spansOf(receiver.spans, 4);
    expect(spans).toHaveLength(4);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([traceId]));
    const request = spans.find((span) => span.name === "GET /api/chat-list") as ReceivedSpan;
    expect(request).toMatchObject({
      kind: SERVER,
      parentSpanId: clientSpanId,
      attributes: { "http.route": "/api/chat-list", "http.response.status_code": 200 },
    });
    const source = (name: string) => spans.find((span) => span.name === `source ${name}`);
    expect(source("executors")).toMatchObject({
      parentSpanId: request.spanId,
      attributes: { "chat_list.source.status": "ok", "chat_list.cache": "miss" },
    });
    expect(source("executors")?.status.code ?? 0).not.toBe(ERROR);
    expect(source("agents")).toMatchObject({
      parentSpanId: request.spanId,
      attributes: { "chat_list.source.status": "error", "chat_list.source.kind": "agent_store" },
      status: { code: ERROR, message: "upstream answered HTTP 500" },
    });
    expect(source("slow")).toMatchObject({
      parentSpanId: request.spanId,
      attributes: { "chat_list.source.status": "timeout" },
      status: { code: ERROR },
    });

    // Each upstream was called as a child of its source's span, in the client's trace.
    const sent = (calls: typeof registry.calls) => calls[0]?.headers.traceparent;
    expect(sent(registry.calls)).toBe(`00-${traceId}-${source("executors")?.spanId}-01`);
    expect(sent(store.calls)).toBe(`00-${traceId}-${source("agents")?.spanId}-01`);
    expect(sent(slow.calls)).toBe(`00-${traceId}-${source("slow")?.spanId}-01`);
    // No span carries the workspace path, the cookie or an item id.
    const exported = JSON.stringify(spans);
    for (const secret of ["secret-user", "hunter2", "CODEX"])
      expect(exported).not.toContain(secret);

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("exports nothing without an endpoint, yet passes the client's traceparent unchanged to every upstream call, and adds no other header", async () => {
    const { server: portal } = await startFakePortal(upstream);
    const registry = await upstream({
      "/executors": { json: [{ type: "CODEX", name: "Codex", is_available: true }] },
      "/executors/CODEX/sessions": { json: { sessions: [] } },
    });
    const config = {
      sources: [
        {
          kind: "portal",
          name: "portal",
          baseUrl: portal.url,
          identityTtlMs: 0,
          history: { ttlMs: 0 },
        },
        // Sessions asked on every request, not reused: both requests make every call.
        { kind: "executor_registry", name: "executors", baseUrl: registry.url, sessionTtlMs: 0 },
      ],
      cache: { ttlMs: 0, staleIfErrorMs: 0 },
    };
    const run = startEntry({ CHAT_LIST_CONFIG_JSON: JSON.stringify(config) });
    const listUrl = await run.listening;
    const traceparent = `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
    const cookie = "psession=ana-phone";
    expect((await fetch(listUrl, { headers: { cookie } })).status).toBe(200);
    const names = (call: { headers: Record<string, unknown> }) => Object.keys(call.headers).sort();
    const untraced = new Map([...portal.calls, ...registry.calls].map((c) => [c.path, names(c)]));
    portal.calls.length = 0;
    registry.calls.length = 0;
    expect((await fetch(listUrl, { headers: { cookie, traceparent } })).status).toBe(200);

    const traced = [...portal.calls, ...registry.calls];
    // The list, the history and who-am-I at the portal; the list and the sessions at the registry.
    expect(traced.map((call) => call.path).sort()).toEqual([...untraced.keys()].sort());
    expect(traced.map((call) => call.path)).toEqual(
      expect.arrayContaining([
        "/v1/users/me",
        "/v1/portal/chats/10/history",
        "/executors/CODEX/sessions",
      ]),
    );
    for (const call of traced) {
      expect(call.headers.traceparent).toBe(traceparent);
      expect(names(call)).toEqual([...(untraced.get(call.path) ?? []), "traceparent"].sort());
    }

    // The same process serves its metrics, with Node's process metrics among them.
    const samples = parseScrape(await (await fetch(new URL("/metrics", listUrl))).text());
    expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name === "nodejs_eventloop_lag_seconds")).toBe(true);
    expect(
      sampleValue(samples, "chat_list_portal_budget_left", { source: "portal" }),
    ).toBeGreaterThan(0);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
});

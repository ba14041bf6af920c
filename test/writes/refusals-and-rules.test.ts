import { trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayMetrics } from "../../src/observability/metrics.js";
import { createPrometheusMetrics } from "../../src/runtime/node/prometheus-metrics.js";
import { startFakePortal } from "../support/fake-portal.js";
import type { Reply } from "../support/fake-upstream.js";
import type { TestGateway } from "../support/gateway.js";
import { parseScrape, sampleValue } from "../support/prometheus.js";
import { useResources } from "../support/resources.js";
import { ciphertext, postJson, writesOf } from "../support/writes.js";

// Every write of this file is traced (an SDK exporting to memory), counted (prom-client) and
// logged; the last test reads all of it for message content.
const exported = new InMemorySpanExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: exported })] }),
  );
});
afterAll(() => trace.disable());

const { upstream, gateway } = useResources();
/** Every content this file sent, and every gateway's logs and metrics. */
const secrets: string[] = [];
const gateways: Array<{ gw: TestGateway; metrics: GatewayMetrics }> = [];

function content(epoch = 3) {
  const made = ciphertext(epoch);
  secrets.push(made.content, made.ct);
  return made.content;
}

async function setUp(config: Record<string, unknown> = {}, portalTimeoutMs = 1500) {
  const portal = await startFakePortal(upstream);
  const metrics = createPrometheusMetrics({ processMetrics: false });
  const gw = await gateway(
    {
      sources: [
        { kind: "portal", name: "portal", baseUrl: portal.server.url, timeoutMs: portalTimeoutMs },
      ],
      ...config,
    },
    { metrics },
  );
  gateways.push({ gw, metrics });
  return { portal, gw, metrics, writes: writesOf(gw.url) };
}

const problemOf = async (response: Response) => ({
  status: response.status,
  type: response.headers.get("content-type"),
  body: (await response.json()) as Record<string, unknown>,
});

describe("the portal's refusals, as DESIGN §13 maps them", () => {
  const ERR = (code: string) => ({ detail: { code, message: `refused: ${code}` } });
  const cases: Array<{
    name: string;
    reply: Reply;
    write?: "send" | "create";
    status: number;
    code: string;
    extra?: Record<string, unknown>;
  }> = [
    {
      name: "401",
      reply: { status: 401, json: { detail: "Not authenticated" } },
      status: 401,
      code: "unauthorized",
    },
    {
      name: "403 banned",
      reply: { status: 403, json: { detail: "You are banned from this chat." } },
      status: 403,
      code: "banned",
      extra: { detail: "You are banned from this chat." },
    },
    {
      name: "403 muted, with ttl",
      reply: { status: 403, json: { detail: "You are muted in this chat.", ttl: 120 } },
      status: 403,
      code: "muted",
      extra: { ttl: 120 },
    },
    {
      name: "403 muted indefinitely (ttl 0)",
      reply: { status: 403, json: { detail: { code: "ERR_MUTED", ttl: 0 } } },
      status: 403,
      code: "muted",
      extra: { ttl: 0 },
    },
    {
      name: "403 ERR_EPOCH_MISMATCH",
      reply: { status: 403, json: ERR("ERR_EPOCH_MISMATCH") },
      status: 409,
      code: "epoch_mismatch",
    },
    {
      name: "403 ERR_NO_ROOM_KEY",
      reply: { status: 403, json: { detail: "ERR_NO_ROOM_KEY" } },
      status: 409,
      code: "no_room_key",
    },
    {
      name: "403 without premium (create)",
      write: "create",
      reply: { status: 403, json: { detail: "Premium subscription required" } },
      status: 403,
      code: "forbidden",
      extra: { detail: "Premium subscription required" },
    },
    {
      name: "403 of an unknown shape",
      reply: { status: 403, body: "<html>nope</html>" },
      status: 403,
      code: "forbidden",
    },
    {
      name: "409",
      reply: { status: 409, json: { detail: "duplicate" } },
      status: 409,
      code: "conflict",
    },
    {
      name: "422",
      reply: { status: 422, json: { detail: "content is not a valid CiphertextV2 bundle" } },
      status: 422,
      code: "invalid_content",
    },
    {
      name: "422 (create)",
      write: "create",
      reply: { status: 422, json: { detail: [{ loc: ["body", "name"] }] } },
      status: 422,
      code: "invalid_fields",
    },
    {
      name: "500",
      reply: { status: 500, json: { detail: "boom" } },
      status: 502,
      code: "portal_unavailable",
    },
    {
      name: "a 2xx that is not JSON",
      reply: { status: 200, body: "ok" },
      status: 502,
      code: "portal_unavailable",
    },
    {
      name: "a 2xx without a stream id",
      reply: { status: 200, json: { ok: true } },
      status: 502,
      code: "portal_unavailable",
    },
    {
      name: "a redirect",
      reply: { status: 307, headers: { location: "/elsewhere" }, body: "" },
      status: 502,
      code: "portal_unavailable",
    },
  ];

  for (const entry of cases)
    it(`answers the portal's ${entry.name} with ${entry.status} ${entry.code}`, async () => {
      const { portal, writes } = await setUp();
      portal.refuse(() => entry.reply);
      const response =
        entry.write === "create"
          ? await writes.createChat({ name: "team" }, { psession: "bo" })
          : await writes.send("gc-10", { content: content() }, { psession: "bo" });
      const { status, type, body } = await problemOf(response);
      expect(status).toBe(entry.status);
      expect(type).toBe("application/problem+json");
      expect(body).toMatchObject({ code: entry.code, status: entry.status, ...entry.extra });
      expect(portal.writes()).toHaveLength(1);
    });

  it("answers 429 with Retry-After, and holds further writes (and history calls) without asking the portal", async () => {
    const { portal, writes, metrics } = await setUp();
    portal.refuse(() => ({
      status: 429,
      headers: { "retry-after": "7" },
      json: { detail: "slow down" },
    }));
    const limited = await writes.send("gc-10", { content: content() }, { psession: "bo" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(await limited.json()).toMatchObject({ code: "portal_rate_limited" });
    portal.refuse(undefined);
    const held = await writes.createChat({ name: "team" }, { psession: "bo" });
    expect(held.status).toBe(429);
    expect(Number(held.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(portal.writes()).toHaveLength(1);
    const scrape = parseScrape((await metrics.scrape?.())?.body ?? "");
    expect(sampleValue(scrape, "chat_list_portal_budget_left", { source: "portal" })).toBe(0);
  });

  it("answers a portal that does not answer within the source's timeout with 504, saying the write may have happened", async () => {
    const { portal, writes } = await setUp({}, 200);
    portal.refuse(() => ({ hang: true }));
    const response = await writes.send("gc-10", { content: content() }, { psession: "bo" });
    const { status, body } = await problemOf(response);
    expect(status).toBe(504);
    expect(body).toMatchObject({ code: "portal_timeout" });
    expect(String(body.detail)).toMatch(/may still have happened/);
  });

  it("never repeats a content the portal echoes in its detail", async () => {
    const { portal, writes } = await setUp();
    const sent = content();
    portal.refuse((call) => ({
      status: 422,
      json: { detail: `bad bundle: ${JSON.parse(call.body ?? "{}").content}` },
    }));
    const response = await writes.send("gc-10", { content: sent }, { psession: "bo" });
    const text = await response.text();
    expect(response.status).toBe(422);
    expect(text).not.toContain(JSON.parse(sent).ct);
  });
});

describe("what is checked before any portal call", () => {
  it("refuses contents that are too long or not CiphertextV2 with 422 invalid_content, and makes no portal call", async () => {
    const { portal, writes } = await setUp();
    const longCt = "A".repeat(4097 - JSON.stringify({ v: 2, epoch: 3, ct: "" }).length);
    const tooLong = JSON.stringify({ v: 2, epoch: 3, ct: longCt });
    expect(tooLong).toHaveLength(4097);
    const justRight = JSON.stringify({ v: 2, epoch: 3, ct: longCt.slice(1) });
    const bad = [
      tooLong,
      "hello, plain text",
      JSON.stringify({ v: 1, epoch: 3, ct: "c2FtcGxl" }),
      JSON.stringify({ v: 2, epoch: 1.5, ct: "c2FtcGxl" }),
      JSON.stringify({ v: 2, epoch: -1, ct: "c2FtcGxl" }),
      JSON.stringify({ v: 2, epoch: 3, ct: "not base64!" }),
      JSON.stringify({ v: 2, epoch: 3 }),
      JSON.stringify([2, 3, "c2FtcGxl"]),
    ];
    for (const sent of bad) {
      secrets.push(sent);
      const response = await writes.send("gc-10", { content: sent }, { psession: "bo" });
      const text = await response.text();
      expect(response.status).toBe(422);
      expect(JSON.parse(text)).toMatchObject({
        code: "invalid_content",
        errors: [{ parameter: "content", in: "body" }],
      });
      expect(text).not.toContain(sent.slice(0, 40));
    }
    for (const body of [{}, { content: 42 }])
      expect((await writes.send("gc-10", body, { psession: "bo" })).status).toBe(422);
    expect(portal.writes()).toHaveLength(0);
    secrets.push(justRight);
    expect((await writes.send("gc-10", { content: justRight }, { psession: "bo" })).status).toBe(
      201,
    );
  });

  it("answers a chat the caller's list does not show with 404 and makes no portal call", async () => {
    const { portal, writes } = await setUp();
    for (const id of ["gc-20", "gc-999", "gc-project-chat", "CODEX"]) {
      const response = await writes.send(id, { content: content() }, { psession: "ana-phone" });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: "not_found" });
    }
    expect(portal.writes()).toHaveLength(0);
  });

  it("answers a chat id it cannot look up, the portal's list failing, with 503 source_unavailable and makes no portal call", async () => {
    const { portal, writes } = await setUp();
    portal.server.route({ "/v1/portal/chats": { status: 500, json: { detail: "down" } } });
    const response = await writes.send("gc-10", { content: content() }, { psession: "bo" });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      code: "source_unavailable",
      ids: ["gc-10"],
      sources: ["portal"],
    });
    expect(portal.writes()).toHaveLength(0);
  });

  it("refuses a chat's fields outside the rules with 422 invalid_fields naming each, and makes no portal call", async () => {
    const { portal, writes } = await setUp();
    const cases: Array<[unknown, string[]]> = [
      [{ name: "x" }, ["name"]],
      [{ name: "x".repeat(65) }, ["name"]],
      [{ name: "  " }, ["name"]],
      [{}, ["name"]],
      [{ name: "team", description: "d".repeat(501) }, ["description"]],
      [{ name: "team", browser_config: { blob: "b".repeat(5000) } }, ["browser_config"]],
      [{ name: "team", browser_config: ["not", "an", "object"] }, ["browser_config"]],
      [{ name: "team", allow_control_requests: "yes" }, ["allow_control_requests"]],
      [{ name: "x", description: "d".repeat(501) }, ["name", "description"]],
      [{ name: "team", owner: 7 }, ["(body)"]],
    ];
    for (const [body, fields] of cases) {
      const response = await writes.createChat(body, { psession: "bo" });
      expect(response.status).toBe(422);
      const problem = (await response.json()) as { code: string; errors: { parameter: string }[] };
      expect(problem.code).toBe("invalid_fields");
      expect(problem.errors.map((error) => error.parameter)).toEqual(fields);
    }
    // 64 characters counted as characters, not UTF-16 units.
    expect((await writes.createChat({ name: "🚀".repeat(64) }, { psession: "bo" })).status).toBe(
      201,
    );
    expect(portal.writes()).toHaveLength(1);
  });

  it("holds writes at the door: JSON only (415), foreign Origin (403), 16 KiB (413), no cookie (401), the rate limit (429)", async () => {
    const { portal, gw, writes } = await setUp({ rateLimit: { perMinute: 60, burst: 6 } });
    const path = "/api/chat-list/group-chats";
    const form = await fetch(`${gw.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: "psession=bo" },
      body: "name=team",
    });
    expect(form.status).toBe(415);
    const foreign = await postJson(
      gw.url,
      path,
      { name: "team" },
      {
        psession: "bo",
        headers: { origin: "https://evil.example" },
      },
    );
    expect(foreign.status).toBe(403);
    const huge = await postJson(
      gw.url,
      `${path}/gc-10/messages`,
      { content: "x".repeat(17 * 1024) },
      { psession: "bo" },
    );
    expect(huge.status).toBe(413);
    const anonymous = await writes.createChat({ name: "team" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: "unauthorized" });
    const notJson = await postJson(gw.url, path, "{oops", { psession: "bo" });
    expect(notJson.status).toBe(400);
    expect(portal.writes()).toHaveLength(0);
    let limited: Response | undefined;
    for (let i = 0; i < 10 && limited === undefined; i++) {
      const response = await writes.createChat({ name: `team ${i}` }, { psession: "bo" });
      if (response.status === 429) limited = response;
    }
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await limited?.json()).toMatchObject({ code: "rate_limited" });
  });

  it("picks the portal source named by ?source_name=, and refuses an unknown one with 400", async () => {
    const first = await startFakePortal(upstream);
    const second = await startFakePortal(upstream);
    const gw = await gateway({
      sources: [
        { kind: "portal", name: "one", baseUrl: first.server.url },
        { kind: "portal", name: "two", baseUrl: second.server.url },
      ],
    });
    const writes = writesOf(gw.url);
    const byDefault = await writes.createChat({ name: "team" }, { psession: "bo" });
    expect(await byDefault.json()).toMatchObject({ item: { source_name: "one" } });
    const path = "/api/chat-list/group-chats?source_name=two";
    const named = await postJson(gw.url, path, { name: "team" }, { psession: "bo" });
    expect(named.status).toBe(201);
    expect(await named.json()).toMatchObject({ item: { id: "gc-100", source_name: "two" } });
    expect([first.writes().length, second.writes().length]).toEqual([1, 1]);
    const unknown = await postJson(
      gw.url,
      "/api/chat-list/group-chats?source_name=three",
      { name: "team" },
      { psession: "bo" },
    );
    expect(unknown.status).toBe(400);
  });
});

describe("observability of writes", () => {
  it("counts writes by kind and outcome, and traces each under its request", async () => {
    const { writes, metrics } = await setUp();
    const first = content();
    expect(
      (await writes.send("gc-10", { content: first }, { psession: "bo", key: "m" })).status,
    ).toBe(201);
    await writes.send("gc-10", { content: content() }, { psession: "bo", key: "m" });
    const replay = await writes.send("gc-10", { content: first }, { psession: "bo", key: "m" });
    expect(replay.status).toBe(201);
    expect((await writes.createChat({ name: "team" }, { psession: "bo" })).status).toBe(201);
    const samples = parseScrape((await metrics.scrape?.())?.body ?? "");
    const count = (kind: string, outcome: string) =>
      sampleValue(samples, "chat_list_writes_total", { kind, outcome });
    expect(count("send_message", "created")).toBe(1);
    expect(count("send_message", "idempotency_key_reused")).toBe(1);
    expect(count("send_message", "replayed")).toBe(1);
    expect(count("create_chat", "created")).toBe(1);
    expect(
      sampleValue(samples, "chat_list_http_requests_total", {
        route: "/api/chat-list/group-chats/:id/messages",
        method: "POST",
        status: "201",
      }),
    ).toBe(2);
    const spans = exported.getFinishedSpans();
    const write = spans.filter((span) => span.name === "write create_chat").at(-1) as ReadableSpan;
    expect(write.attributes).toMatchObject({
      "chat_list.write.kind": "create_chat",
      "chat_list.write.outcome": "created",
      "chat_list.source.name": "portal",
    });
    const request = spans.find(
      (span) => span.spanContext().spanId === write.parentSpanContext?.spanId,
    );
    expect(request?.name).toBe("POST /api/chat-list/group-chats");
  });

  it("leaves no message content in the logs, spans or metrics of any write of this file", async () => {
    expect(secrets.length).toBeGreaterThan(20);
    const spans = exported.getFinishedSpans().map((span) =>
      JSON.stringify({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
        resource: span.resource.attributes,
      }),
    );
    expect(spans.some((span) => span.includes("write send_message"))).toBe(true);
    const logs = gateways.flatMap(({ gw }) => gw.logs.map((line) => JSON.stringify(line)));
    const scrapes = await Promise.all(
      gateways.map(async ({ metrics }) => (await metrics.scrape?.())?.body ?? ""),
    );
    const everything = [...spans, ...logs, ...scrapes];
    expect(logs.length).toBeGreaterThan(50);
    for (const secret of secrets) {
      // Whole, and any 24-character run of it (a ciphertext cut in a message would still leak).
      const probes = [secret, ...(secret.length > 48 ? [secret.slice(12, 36)] : [])];
      for (const probe of probes)
        expect(everything.filter((text) => text.includes(probe))).toEqual([]);
    }
  });
});

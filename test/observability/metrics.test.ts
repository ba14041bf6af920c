import { describe, expect, it } from "vitest";
import {
  CACHE_LOOKUPS,
  LOAD_OUTCOMES,
  METHOD_LABELS,
  STATUS_LABELS,
} from "../../src/observability/labels.js";
import { createPrometheusMetrics } from "../../src/runtime/node/prometheus-metrics.js";
import { SOURCE_STATUSES } from "../../src/sources/collect.js";
import { manualClock } from "../support/gateway.js";
import { labelValues, parseScrape, type Sample, sampleValue } from "../support/prometheus.js";
import { rawRequest } from "../support/raw-http.js";
import { executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

const WORKSPACE = "/home/secret-user/proj";
const list = (query = "") =>
  `/api/chat-list?workspace_path=${encodeURIComponent(WORKSPACE)}${query}`;

/** Three sources: a registry that answers, a store that always fails, and a group-chat store
 * that answers once and then fails (so its entry is served stale). */
async function threeSources() {
  const registry = await upstream({ "/executors": executorsReply("CLAUDE_CODE") });
  const store = await upstream({ "/agents": { status: 500, json: { detail: "down" } } });
  let flakyFails = false;
  const chats = await upstream({
    "/group-chats": () =>
      flakyFails
        ? { status: 500, json: { detail: "down" } }
        : {
            json: { group_chats: [{ id: "c1", name: "Chat", member_count: 2, session_count: 1 }] },
          },
  });
  const config = {
    sources: [
      { kind: "executor_registry", name: "executors", baseUrl: registry.url },
      { kind: "agent_store", name: "agents", baseUrl: store.url },
      { kind: "group_chat_store", name: "flaky", baseUrl: chats.url },
    ],
    cache: { ttlMs: 1000, staleIfErrorMs: 600_000 },
    breaker: { failureThreshold: 100, cooldownMs: 1000 },
  };
  return { config, failFlaky: () => (flakyFails = true) };
}

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The change of each named series between two scrapes. */
const delta = (before: Sample[], after: Sample[], name: string, labels: Record<string, string>) =>
  sampleValue(after, name, labels) - sampleValue(before, name, labels);

describe("GET /metrics", () => {
  it("moves each series by exactly the requests sent: a source failing, one stale, one hit", async () => {
    const { config, failFlaky } = await threeSources();
    const clock = manualClock();
    const metrics = createPrometheusMetrics({ processMetrics: false });
    const gw = await gateway(config, { clock, metrics });
    const loads = async (source: string, outcome: string) =>
      sampleValue(
        parseScrape((await metrics.scrape?.())?.body ?? ""),
        "chat_list_source_load_duration_seconds_count",
        { source, kind: "group_chat_store", outcome },
      );

    // The group-chat store's entry expires and its refresh fails: it is served stale from now.
    expect((await gw.get(list("&type=group_chat"))).status).toBe(200);
    clock.advance(1500);
    failFlaky();
    expect((await gw.get(list("&type=group_chat"))).status).toBe(200);
    await until(async () => (await loads("flaky", "error")) === 1);
    // The registry's entry is fresh from now on.
    expect((await gw.get(list("&type=executor"))).status).toBe(200);

    const before = parseScrape(await (await gw.get("/metrics")).text());
    for (let round = 1; round <= 3; round++) {
      const answer = await gw.get(list());
      expect(answer.status).toBe(200);
      const body = await answer.json();
      expect(body.sources.map((s: { status: string }) => s.status)).toEqual([
        "ok",
        "error",
        "stale",
      ]);
      // Each stale serve starts one background refresh; wait for it, so the count is exact.
      await until(async () => (await loads("flaky", "error")) === 1 + round);
    }
    expect((await gw.get(list("&limit=0"))).status).toBe(400);
    expect((await gw.get("/no/such/route")).status).toBe(404);
    const text = await (await gw.get("/metrics")).text();
    const after = parseScrape(text);

    const requests = "chat_list_http_requests_total";
    expect(
      delta(before, after, requests, { route: "/api/chat-list", method: "GET", status: "200" }),
    ).toBe(3);
    expect(
      delta(before, after, requests, { route: "/api/chat-list", method: "GET", status: "400" }),
    ).toBe(1);
    expect(
      delta(before, after, requests, { route: "unmatched", method: "GET", status: "404" }),
    ).toBe(1);
    expect(
      delta(before, after, requests, { route: "/metrics", method: "GET", status: "200" }),
    ).toBe(1);
    const duration = "chat_list_http_request_duration_seconds_count";
    expect(delta(before, after, duration, { route: "/api/chat-list", method: "GET" })).toBe(4);
    expect(delta(before, after, duration, { route: "unmatched", method: "GET" })).toBe(1);

    const results = "chat_list_source_results_total";
    expect(
      delta(before, after, results, {
        source: "executors",
        kind: "executor_registry",
        status: "ok",
      }),
    ).toBe(3);
    expect(
      delta(before, after, results, { source: "agents", kind: "agent_store", status: "error" }),
    ).toBe(3);
    expect(
      delta(before, after, results, { source: "flaky", kind: "group_chat_store", status: "stale" }),
    ).toBe(3);

    const cache = "chat_list_cache_lookups_total";
    expect(delta(before, after, cache, { source: "executors", result: "hit" })).toBe(3);
    expect(delta(before, after, cache, { source: "executors", result: "miss" })).toBe(0);
    expect(delta(before, after, cache, { source: "agents", result: "miss" })).toBe(3);
    expect(delta(before, after, cache, { source: "flaky", result: "stale" })).toBe(3);

    const upstreamLoads = "chat_list_source_load_duration_seconds_count";
    expect(
      delta(before, after, upstreamLoads, {
        source: "executors",
        kind: "executor_registry",
        outcome: "ok",
      }),
    ).toBe(0);
    expect(
      delta(before, after, upstreamLoads, {
        source: "agents",
        kind: "agent_store",
        outcome: "error",
      }),
    ).toBe(3);
    expect(
      delta(before, after, upstreamLoads, {
        source: "flaky",
        kind: "group_chat_store",
        outcome: "error",
      }),
    ).toBe(3);

    expect(sampleValue(after, "chat_list_circuit_open", { source: "agents" })).toBe(0);
    expect(sampleValue(after, "chat_list_live_streams")).toBe(0);

    // Every label value comes from a closed set: the routes, the config, the catalogues.
    const http = labelValues(after, "chat_list_http_");
    expect(http.route).toEqual(new Set(["/api/chat-list", "unmatched", "/metrics"]));
    expect(http.method).toEqual(new Set(["GET"]));
    expect(http.status).toEqual(new Set(["200", "400", "404"]));
    const all = labelValues(after, "chat_list_");
    expect(Object.keys(all).sort()).toEqual([
      "kind",
      "method",
      "outcome",
      "result",
      "route",
      "source",
      "status",
    ]);
    expect(all.source).toEqual(new Set(["executors", "agents", "flaky"]));
    expect(all.kind).toEqual(new Set(["executor_registry", "agent_store", "group_chat_store"]));
    expect(all.result).toEqual(new Set(["hit", "miss", "stale", "revalidating"]));
    expect(all.outcome).toEqual(new Set(["ok", "error"]));
    expect(labelValues(after, "chat_list_source_results").status).toEqual(
      new Set(["ok", "error", "stale", "skipped"]), // skipped: the typed requests before
    );
    for (const value of http.method ?? []) expect(METHOD_LABELS).toContain(value);
    for (const value of http.status ?? []) expect(STATUS_LABELS).toContain(value);
    for (const value of all.result ?? []) expect(CACHE_LOOKUPS).toContain(value);
    for (const value of all.outcome ?? []) expect(LOAD_OUTCOMES).toContain(value);
    for (const value of labelValues(after, "chat_list_source_results").status ?? [])
      expect(SOURCE_STATUSES).toContain(value);
    // Never a workspace path, an item id or a raw path.
    expect(text).not.toContain("secret-user");
    expect(text).not.toContain("CLAUDE_CODE");
    expect(text).not.toContain("/no/such/route");
  });

  it("needs the access token, is never rate limited, obeys the Host check and asks no upstream", async () => {
    const registry = await upstream({ "/executors": executorsReply("GEMINI") });
    const token = "metrics-test-token-0123456789abcdef";
    const auth = { authorization: `Bearer ${token}` };
    const tight = { perMinute: 1, burst: 1, addressPerMinute: 1, addressBurst: 1 };
    const gw = await gateway(
      {
        sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
        http: { accessToken: token },
        rateLimit: tight,
      },
      { metrics: createPrometheusMetrics({ processMetrics: false }) },
    );
    expect((await gw.get("/metrics")).status).toBe(401);
    expect((await gw.get("/api/chat-list", { headers: auth })).status).toBe(200);
    expect((await gw.get("/api/chat-list", { headers: auth })).status).toBe(429);
    for (let scrape = 0; scrape < 5; scrape++)
      expect((await gw.get("/metrics", { headers: auth })).status).toBe(200);
    const foreign = await rawRequest(`${gw.url}/metrics`, {
      headers: { host: "rebound.example", ...auth },
    });
    expect(foreign.status).toBe(421);

    const answer = await gw.get("/metrics", { headers: auth });
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseScrape(await answer.text());
    const requests = (route: string, status: string) =>
      sampleValue(samples, "chat_list_http_requests_total", { route, method: "GET", status });
    expect(requests("/api/chat-list", "429")).toBe(1);
    expect(requests("/metrics", "401")).toBe(1);
    expect(requests("/metrics", "421")).toBe(1);
    expect(requests("/metrics", "200")).toBe(5);
    expect(registry.calls).toHaveLength(1); // the one list that got through; scrapes ask nobody
  });

  it("is not served by a gateway given no metrics to scrape", async () => {
    const gw = await gateway({ sources: [] });
    expect((await gw.get("/metrics")).status).toBe(404);
  });
});

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../src/runtime/node/prometheus-metrics.js";
import { promlint } from "../support/promlint.js";
import { executorsReply, useResources } from "../support/resources.js";

// An operator's CI runs `promtool check metrics` on a scrape (issue 25, item 7): the gateway's
// /metrics, process metrics included, must pass it.

const { upstream, gateway } = useResources();

/** What GET /metrics serves after a few requests, as the Node entry builds its metrics. */
async function scrape(): Promise<string> {
  const registry = await upstream({ "/executors": executorsReply("CODEX") });
  const gw = await gateway(
    { sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }] },
    { metrics: createPrometheusMetrics() },
  );
  await gw.get("/api/chat-list");
  await gw.get("/api/chat-list");
  await gw.get("/no/such/route");
  const answer = await gw.get("/metrics");
  expect(answer.status).toBe(200);
  return answer.text();
}

/** promtool from PATH or CHAT_LIST_PROMTOOL, or undefined when it is not there. */
function promtool(): string | undefined {
  const candidate = process.env.CHAT_LIST_PROMTOOL || "promtool";
  const found = spawnSync(candidate, ["--version"], { stdio: "ignore" });
  return found.status === 0 ? candidate : undefined;
}

describe("GET /metrics for an operator's lint", () => {
  it("passes promtool's rules: no gauge named like a counter, help on every series, base units", async () => {
    const text = await scrape();
    // The process metrics are there (the check is not passing on an empty scrape).
    expect(text).toContain("# TYPE process_cpu_seconds_total counter");
    expect(text).toContain("# TYPE nodejs_active_handles gauge");
    expect(promlint(text)).toEqual([]);
  });

  it("finds what promtool finds in a scrape that breaks its rules", () => {
    const broken = [
      "# HELP nodejs_active_handles_total Total number of active handles.",
      "# TYPE nodejs_active_handles_total gauge",
      "nodejs_active_handles_total 3",
      "# TYPE requests counter",
      "requests 1",
      "# HELP lag_milliseconds Event loop lag.",
      "# TYPE lag_milliseconds gauge",
      'lag_milliseconds{le="1"} 2',
    ].join("\n");
    expect(promlint(broken)).toEqual([
      {
        metric: "nodejs_active_handles_total",
        text: 'non-counter metrics should not have "_total" suffix',
      },
      { metric: "requests", text: "no help text" },
      { metric: "requests", text: 'counter metrics should have "_total" suffix' },
      { metric: "lag_milliseconds", text: 'non-histogram metrics should not have "le" label' },
      { metric: "lag_milliseconds", text: 'use base unit "seconds" instead of "milliseconds"' },
    ]);
    expect(promlint("not a metric line")).toEqual([
      { metric: "", text: "line 1: not a sample line: not a metric line" },
    ]);
  });

  const found = promtool();
  it.skipIf(found === undefined)(
    `passes promtool check metrics itself${found === undefined ? " (promtool is not installed: skipped; the checks above stand in for it)" : ""}`,
    async () => {
      const checked = spawnSync(found as string, ["check", "metrics"], {
        input: await scrape(),
        encoding: "utf8",
      });
      expect({ status: checked.status, output: `${checked.stdout}${checked.stderr}` }).toEqual({
        status: 0,
        output: "",
      });
    },
  );
});

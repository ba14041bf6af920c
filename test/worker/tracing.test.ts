import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { createWorkerGateway } from "../../src/runtime/worker.js";
import { createInMemoryUpstreams } from "../contract/in-memory-upstream.js";

describe("tracing on Workers", () => {
  it("passes the client's traceparent unchanged to upstreams (no SDK registered), and serves no /metrics", async () => {
    const upstreams = createInMemoryUpstreams();
    const registry = upstreams.add({ "/executors": { json: [{ type: "CODEX" }] } });
    const gateway = createWorkerGateway(
      JSON.stringify({
        sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
      }),
      { fetch: upstreams.fetch, logger: silentLogger },
    );
    if (gateway.error !== undefined) throw gateway.error;
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const ask = async (path: string, headers: Record<string, string> = {}) => {
      const ctx = createExecutionContext();
      const response = await gateway.app.fetch(
        new Request(`http://gateway.test${path}`, { headers }),
        {},
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return response;
    };
    expect((await ask("/api/chat-list", { traceparent })).status).toBe(200);
    expect(registry.callsTo("/executors")[0]?.headers.traceparent).toBe(traceparent);
    expect((await ask("/metrics")).status).toBe(404);
  });
});

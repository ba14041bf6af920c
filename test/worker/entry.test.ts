import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import worker, { createWorkerGateway, workerConfigParses } from "../../src/runtime/worker.js";
import { createInMemoryUpstreams } from "../contract/in-memory-upstream.js";

async function call(env: { CHAT_LIST_CONFIG_JSON?: string }, path = "/api/chat-list") {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://gateway.test${path}`), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("the Worker entry", () => {
  it("parses its config once per isolate, not per request", async () => {
    const env = { CHAT_LIST_CONFIG_JSON: JSON.stringify({ sources: [], deadlineMs: 1234 }) };
    const before = workerConfigParses();
    for (let i = 0; i < 5; i++) expect((await call(env)).status).toBe(200);
    expect(workerConfigParses() - before).toBe(1);
  });

  it("answers every request with a 500 problem naming the bad fields when the config is bad", async () => {
    const env = {
      CHAT_LIST_CONFIG_JSON: JSON.stringify({
        sources: [{ kind: "portal", name: "p", baseUrl: "nope" }],
        deadlineMs: -5,
      }),
    };
    const before = workerConfigParses();
    for (const path of ["/api/chat-list", "/healthz"]) {
      const response = await call(env, path);
      expect(response.status).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = (await response.json()) as {
        code: string;
        detail: string;
        message: string;
        invalid_fields: string[];
      };
      expect(body.code).toBe("config_invalid");
      // Readable by Viben's desktop: `message` is the detail, and no member is named `error`.
      expect(body.message).toBe(body.detail);
      expect(body).not.toHaveProperty("error");
      expect(body.invalid_fields.join("\n")).toMatch(/sources\.0\.baseUrl/);
      expect(body.invalid_fields.join("\n")).toMatch(/deadlineMs/);
    }
    expect(workerConfigParses() - before).toBe(1);
  });

  it("refuses the local source kinds with a message saying why", async () => {
    const env = {
      CHAT_LIST_CONFIG_JSON: JSON.stringify({
        sources: [{ kind: "local_executors", name: "here" }],
      }),
    };
    const body = (await (await call(env)).json()) as { detail: string };
    expect(body.detail).toContain(
      '"local_executors" reads the local disk and runs only in the Node gateway',
    );
  });

  it("refuses local_group_chats with a message saying why, and names no other problem", async () => {
    const env = {
      CHAT_LIST_CONFIG_JSON: JSON.stringify({
        sources: [{ kind: "local_group_chats", name: "chats", home: "/home/ana" }],
      }),
    };
    const response = await call(env);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { code: string; invalid_fields: string[] };
    expect(body.code).toBe("config_invalid");
    expect(body.invalid_fields).toEqual([
      'sources.0.kind: "local_group_chats" reads the local disk and runs only in the Node gateway, not on Workers',
    ]);
  });

  it("serves an empty list when no config is bound", async () => {
    const response = await call({});
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("refreshes an expired cache entry through executionCtx.waitUntil", async () => {
    const upstreams = createInMemoryUpstreams();
    const registry = upstreams.add({
      "/executors": { delayMs: 50, json: [{ type: "CODEX", session_count: 1, last_active: null }] },
    });
    const gateway = createWorkerGateway(
      JSON.stringify({
        sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
        cache: { ttlMs: 0, staleIfErrorMs: 60_000 },
      }),
      { fetch: upstreams.fetch, logger: silentLogger },
    );
    if (gateway.error !== undefined) throw gateway.error;
    await gateway.app.fetch(
      new Request("http://gateway.test/api/chat-list"),
      {},
      createExecutionContext(),
    );
    const ctx = createExecutionContext();
    const stale = await gateway.app.fetch(
      new Request("http://gateway.test/api/chat-list"),
      {},
      ctx,
    );
    expect(stale.status).toBe(200);
    expect(registry.calls).toHaveLength(2); // the refresh started...
    await waitOnExecutionContext(ctx); // ...and the runtime was told to wait for it
    const body = (await stale.json()) as { sources: { status: string }[] };
    expect(body.sources[0]?.status).toBe("ok");
  });
});

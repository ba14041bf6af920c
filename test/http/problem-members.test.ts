import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createGateway } from "../../src/http/app.js";
import { createPooledFetch } from "../../src/runtime/node/undici-fetch.js";
import { bodyText } from "../support/direct-body.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";
import { executorsReply } from "../support/fixtures.js";

// DESIGN §1, Errors: every problem carries `message` (the text of `detail`) and `code`, and no
// member named `error` — Viben's desktop parser reads `error`, then `message`, then `details`,
// and would show an `error` member in place of the problem's text. Walked through the Hono app
// and through the list's direct path (list-fast-path.ts), which serializes its own answers.

const TOKEN = "t".repeat(40);
const pool = createPooledFetch(8);
let registry: FakeUpstream;
let broken: FakeUpstream;
let portal: FakeUpstream;

beforeAll(async () => {
  registry = await startFakeUpstream({ "/executors": executorsReply("CODEX") });
  broken = await startFakeUpstream({ "/agents": { status: 500, json: { detail: "boom" } } });
  portal = await startFakeUpstream({ "/v1/portal/chats": { status: 401, json: {} } });
});
afterAll(async () => {
  await Promise.all([registry.close(), broken.close(), portal.close()]);
  await pool.close();
});

function gatewayWith(config: Record<string, unknown>) {
  return createGateway({
    config: parseConfig(config),
    fetch: pool.fetch,
    loopbackListener: true,
    clientAddress: () => "127.0.0.1",
  });
}

interface Answer {
  status: number;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

type Gateway = ReturnType<typeof gatewayWith>;
type Ask = (
  gateway: Gateway,
  target: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Answer>;

const viaApp: Ask = async ({ app }, target, init = {}) => {
  const response = await app.request(target, {
    ...init,
    headers: { host: "127.0.0.1:8080", ...init.headers },
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? undefined,
    body: (await response.json()) as Record<string, unknown>,
  };
};

const direct: Ask = async ({ listFastPath }, target, init = {}) => {
  const headers: Record<string, string> = { host: "127.0.0.1:8080", ...init.headers };
  const answer = await listFastPath({
    method: init.method ?? "GET",
    target,
    header: (name) => headers[name],
    clientAddress: () => "127.0.0.1",
  });
  if (answer === null) throw new Error(`the direct path declined ${target}`);
  return {
    status: answer.status,
    contentType: answer.headers["Content-Type"] ?? answer.headers["content-type"],
    body: JSON.parse(answer.body === null ? "null" : bodyText(answer.body)) as Record<
      string,
      unknown
    >,
  };
};

function expectReadableProblem(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toBe("application/problem+json");
  const { body } = answer;
  expect(body.code).toBe(code);
  expect(typeof body.detail).toBe("string");
  expect(body.detail).not.toBe("");
  expect(body.message).toBe(body.detail);
  expect(body).not.toHaveProperty("error");
  expect(body.type).toBe(`urn:chat-list:problem:${code}`);
}

const open = () =>
  gatewayWith({
    sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
  });
const guarded = () =>
  gatewayWith({
    sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
    http: { accessToken: TOKEN },
  });
// Two sources that fail (a refused portal cookie beside them would make it a 401: DESIGN §1).
const failing = () =>
  gatewayWith({
    sources: [
      { kind: "agent_store", name: "agents", baseUrl: broken.url },
      { kind: "executor_registry", name: "executors", baseUrl: broken.url },
    ],
  });
const refusing = () =>
  gatewayWith({ sources: [{ kind: "portal", name: "portal", baseUrl: portal.url }] });
const shortUrls = () =>
  gatewayWith({
    sources: [{ kind: "executor_registry", name: "executors", baseUrl: registry.url }],
    http: { maxUrlBytes: 256 },
  });
const authorized = { authorization: `Bearer ${TOKEN}` };

describe.each([
  ["the Hono app", viaApp],
  ["the list's direct path", direct],
])("problems answered by %s", (_name, ask) => {
  it("carry message and code, and no error member, for a bad cursor (400)", async () => {
    expectReadableProblem(await ask(open(), "/api/chat-list?cursor=bogus"), 400, "invalid_cursor");
  });

  it("carry message and code for a missing access token (401)", async () => {
    expectReadableProblem(await ask(guarded(), "/api/chat-list"), 401, "token_required");
  });

  it("carry message and code for a foreign Host (421)", async () => {
    const answer = await ask(guarded(), "/api/chat-list", {
      headers: { host: "evil.example.com", ...authorized },
    });
    expectReadableProblem(answer, 421, "host_not_allowed");
  });

  it("carry message and code for an over-long URL (414)", async () => {
    const answer = await ask(shortUrls(), `/api/chat-list?workspace_path=/${"a".repeat(300)}`);
    expectReadableProblem(answer, 414, "uri_too_long");
  });

  it("carry message and code, beside the sources, when no source answered (502)", async () => {
    const answer = await ask(failing(), "/api/chat-list", {
      headers: { cookie: "psession=ana" },
    });
    expectReadableProblem(answer, 502, "upstream_error");
    const sources = answer.body.sources as { name: string; status: string; error: unknown }[];
    expect(sources.map((source) => [source.name, source.status])).toEqual([
      ["agents", "error"],
      ["executors", "error"],
    ]);
    // A source's own `error` stays inside its report; the problem has none at its top level.
    expect(typeof sources[0]?.error).toBe("string");
    expect(answer.body.message).toBe(answer.body.detail);
  });

  it("carry message and code when every source refused the credentials (401)", async () => {
    const answer = await ask(refusing(), "/api/chat-list");
    expectReadableProblem(answer, 401, "unauthorized");
  });
});

describe("problems only the Hono app answers", () => {
  it("carry message and code for an invalid query (400), beside the errors array", async () => {
    const answer = await viaApp(open(), "/api/chat-list?include_global=maybe&limit=0");
    expectReadableProblem(answer, 400, "invalid_query");
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ parameter: "include_global" }),
      expect.objectContaining({ parameter: "limit" }),
    ]);
  });

  it("carry message and code for an unknown path (404)", async () => {
    expectReadableProblem(await viaApp(open(), "/api/nothing-here"), 404, "not_found");
  });

  it("carry message and code for a read request that is not JSON (415)", async () => {
    const answer = await viaApp(open(), "/api/chat-list/read", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "gc-1",
    });
    expectReadableProblem(answer, 415, "unsupported_media_type");
  });

  it("carry message and code for a body that is not valid JSON (400)", async () => {
    const answer = await viaApp(open(), "/api/chat-list/read", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expectReadableProblem(answer, 400, "invalid_body");
  });

  it("carry message and code for a read request of an item not in the list (404)", async () => {
    const answer = await viaApp(open(), "/api/chat-list/read", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items: [{ id: "gc-missing" }] }),
    });
    expectReadableProblem(answer, 404, "not_found");
  });

  it("carry message and code for a stream refused for its token (401)", async () => {
    expectReadableProblem(await viaApp(guarded(), "/api/chat-list/stream"), 401, "token_required");
  });

  it("carry message and code when the backend the gateway fronts cannot be reached (502)", async () => {
    const down = await startFakeUpstream();
    await down.close();
    const fronting = gatewayWith({ proxy: { baseUrl: down.url, timeoutMs: 1000 } });
    expectReadableProblem(await viaApp(fronting, "/api/group-chats"), 502, "backend_unavailable");
  });

  it("carry message and code for a docs asset that does not exist (404)", async () => {
    expectReadableProblem(await viaApp(open(), "/docs/assets/nope.js"), 404, "not_found");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { Logger } from "../../src/core/logger.js";
import { createGateway } from "../../src/http/app.js";
import { type GatewayMetrics, noMetrics } from "../../src/observability/metrics.js";
import { createPooledFetch } from "../../src/runtime/node/undici-fetch.js";
import { bodyText } from "../support/direct-body.js";
import { startFakePortal } from "../support/fake-portal.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";
import { agentsReply, executorsReply } from "../support/fixtures.js";

// The list's direct path (list-fast-path.ts) against the Hono app it stands in for: two
// gateways built from one config on the same upstreams, each request sent to both in the same
// order, and their answers, log lines and metrics compared — everything but what differs by
// nature (request ids, timings, ages, the cursor's random nonce).

const TOKEN = "t".repeat(40);
let portal: FakeUpstream;
let registry: FakeUpstream;
let store: FakeUpstream;
const pool = createPooledFetch(8);

beforeAll(async () => {
  portal = (await startFakePortal(startFakeUpstream)).server;
  registry = await startFakeUpstream({ "/executors": executorsReply("CLAUDE_CODE", "CODEX") });
  store = await startFakeUpstream({ "/agents": agentsReply("planner", "reviewer", "writer") });
});
afterAll(async () => {
  await Promise.all([portal.close(), registry.close(), store.close()]);
  await pool.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function build(extra: Record<string, unknown> = {}) {
  const logs: Record<string, unknown>[] = [];
  const requests: string[] = [];
  const logger: Logger = {
    info: (event) => logs.push(event),
    warn: (event) => logs.push(event),
    error: (event) => logs.push(event),
  };
  const metrics: GatewayMetrics = {
    ...noMetrics,
    requestFinished: (route, method, status) => requests.push(`${method} ${route} ${status}`),
  };
  const config = parseConfig({
    sources: [
      { kind: "portal", name: "portal", baseUrl: portal.url },
      { kind: "executor_registry", name: "executors", baseUrl: registry.url },
      { kind: "agent_store", name: "agents", baseUrl: store.url },
    ],
    ...extra,
  });
  const gateway = createGateway({
    config,
    fetch: pool.fetch,
    logger,
    metrics,
    loopbackListener: true,
    clientAddress: () => "127.0.0.1",
  });
  return { ...gateway, logs, requests };
}

/** Both gateways, asked the same things in the same order. */
function pair(extra: Record<string, unknown> = {}) {
  const viaApp = build(extra);
  const direct = build(extra);
  return {
    viaApp,
    direct,
    async app(target: string, headers: Record<string, string> = {}, method = "GET") {
      const response = await viaApp.app.request(target, {
        method,
        headers: { host: "127.0.0.1:8080", ...headers },
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: text === "" ? null : JSON.parse(text),
      } satisfies Answer;
    },
    take(target: string, headers: Record<string, string> = {}, method = "GET") {
      const lower = Object.fromEntries(
        Object.entries({ host: "127.0.0.1:8080", ...headers }).map(([n, v]) => [
          n.toLowerCase(),
          v,
        ]),
      );
      return direct.listFastPath({
        method,
        target,
        header: (name) => lower[name],
        clientAddress: () => "127.0.0.1",
      });
    },
    async fast(target: string, headers: Record<string, string> = {}) {
      const answer = await this.take(target, headers);
      if (answer === null) throw new Error(`the direct path declined ${target}`);
      return {
        status: answer.status,
        headers: Object.fromEntries(
          Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]),
        ),
        body: answer.body === null ? null : JSON.parse(bodyText(answer.body)),
      } satisfies Answer;
    },
  };
}

/** What must be equal: all but request ids, timings, ages and the cursor's nonce. */
function comparable(answer: Answer, sentRequestId?: string) {
  const headers = { ...answer.headers };
  if (sentRequestId === undefined) {
    expect(headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    delete headers["x-request-id"];
  }
  if (headers["server-timing"] !== undefined)
    headers["server-timing"] = headers["server-timing"].replace(/dur=[\d.]+/g, "dur=?");
  const body = structuredClone(answer.body) as Record<string, unknown> | null;
  if (body !== null) {
    if (sentRequestId === undefined) delete body.request_id;
    for (const source of (body.sources ?? []) as Array<Record<string, unknown>>) {
      source.duration_ms = "?";
      source.age_ms = source.age_ms === null ? null : "?";
    }
    if (typeof body.next_cursor === "string") body.next_cursor = "(cursor)";
  }
  return { status: answer.status, headers, body };
}

async function expectAlike(
  both: ReturnType<typeof pair>,
  target: string,
  headers: Record<string, string> = {},
) {
  const [viaApp, direct] = [await both.app(target, headers), await both.fast(target, headers)];
  expect(comparable(direct, headers["x-request-id"])).toEqual(
    comparable(viaApp, headers["x-request-id"]),
  );
  return { viaApp, direct };
}

describe("the list's direct path", () => {
  it("answers lists, pages, 304s and cursor errors exactly as the app does", async () => {
    const both = pair({ http: { cursorSecret: "s".repeat(40) } });
    await expectAlike(both, "/api/chat-list");
    const ana = { cookie: "psession=ana-desktop" };
    const { direct } = await expectAlike(both, "/api/chat-list?include_global=TRUE", ana);
    expect((direct.body as { items: unknown[] }).items.length).toBe(6);
    await expectAlike(both, "/api/chat-list?workspace_path=/w/p/&type=agent,executor", ana);
    await expectAlike(both, "/api/chat-list?type=group_chat&include_global=0", ana);
    await expectAlike(both, "/api/chat-list?workspace_path=/%C3%A9t%C3%A9&type=executor", {
      "x-request-id": "tab-1",
      ...ana,
    });

    const first = await expectAlike(both, "/api/chat-list?limit=2", ana);
    const nextOf = (answer: Answer) => (answer.body as { next_cursor: string }).next_cursor;
    const secondViaApp = await both.app(
      `/api/chat-list?limit=2&cursor=${nextOf(first.viaApp)}`,
      ana,
    );
    const secondDirect = await both.fast(
      `/api/chat-list?limit=2&cursor=${nextOf(first.direct)}`,
      ana,
    );
    expect(secondDirect.status).toBe(200);
    expect(comparable(secondDirect)).toEqual(comparable(secondViaApp));

    const etag = first.direct.headers.etag as string;
    const notModified = await expectAlike(both, "/api/chat-list?limit=2", {
      ...ana,
      "if-none-match": etag,
    });
    expect(notModified.direct.status).toBe(304);
    expect(notModified.direct.body).toBeNull();

    // Another caller's cursor is refused, by the direct path itself, as by the app.
    const foreign = await expectAlike(
      both,
      `/api/chat-list?limit=2&cursor=${nextOf(first.direct)}`,
      { cookie: "psession=bo" },
    );
    expect(foreign.direct.status).toBe(400);
    expect((foreign.direct.body as { code: string }).code).toBe("invalid_cursor");
  });

  it("refuses a foreign Host, a missing token and an empty bucket exactly as the app does", async () => {
    const guarded = pair({ http: { accessToken: TOKEN } });
    const host = await expectAlike(guarded, "/api/chat-list", {
      host: "evil.example.com",
      authorization: `Bearer ${TOKEN}`,
    });
    expect(host.direct.status).toBe(421);
    const token = await expectAlike(guarded, "/api/chat-list");
    expect(token.direct.status).toBe(401);
    expect(token.direct.headers["www-authenticate"]).toBe('Bearer realm="chat-list-gateway"');
    const wrong = await expectAlike(guarded, "/api/chat-list", { authorization: "Bearer nope" });
    expect(wrong.direct.status).toBe(401);
    const right = await expectAlike(guarded, "/api/chat-list", {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(right.direct.status).toBe(200);

    const limited = pair({ rateLimit: { perMinute: 60, burst: 2 } });
    const statuses: number[] = [];
    for (let index = 0; index < 3; index++) {
      const { direct } = await expectAlike(limited, "/api/chat-list", {
        cookie: "psession=ana-desktop",
      });
      statuses.push(direct.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await limited.fast("/api/chat-list", { cookie: "psession=ana-desktop" });
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
  });

  it("logs the same line and counts the same request metrics as the app", async () => {
    const both = pair();
    const headers = { cookie: "psession=ana-desktop", traceparent: "not-a-traceparent" };
    await expectAlike(both, "/api/chat-list?workspace_path=/w", headers);
    await expectAlike(both, "/api/chat-list?cursor=bogus", headers);
    const lines = (logs: Record<string, unknown>[]) =>
      logs
        .filter((event) => event.event === "request")
        .map(({ request_id, duration_ms, sources, ...rest }) => ({
          ...rest,
          request_id: typeof request_id,
          duration_ms: typeof duration_ms,
          sources: (sources as Array<Record<string, unknown>> | undefined)?.map(
            ({ duration_ms: _, ...source }) => source,
          ),
        }));
    expect(lines(both.direct.logs)).toHaveLength(2);
    expect(lines(both.direct.logs)).toEqual(lines(both.viaApp.logs));
    expect(both.direct.requests).toEqual(["GET /api/chat-list 200", "GET /api/chat-list 400"]);
    expect(both.direct.requests).toEqual(both.viaApp.requests);
  });

  it("declines, before spending anything, what the app must answer", async () => {
    const both = pair({
      rateLimit: { perMinute: 60, burst: 1 },
      http: { corsOrigins: ["tauri://localhost"] },
    });
    const declined = [
      ["POST", "/api/chat-list", {}],
      ["HEAD", "/api/chat-list", {}],
      ["GET", "/api/chat-list/", {}],
      ["GET", "/api/chat-list/stream", {}],
      ["GET", "/api/chat-lists", {}],
      ["GET", "/api/chat-list?limit=0", {}],
      ["GET", "/api/chat-list?workspace_path=relative", {}],
      ["GET", "/api/chat-list?workspace_path=/%ff", {}],
      ["GET", "/api/chat-list?type=nope", {}],
      ["GET", "/api/chat-list", { origin: "tauri://localhost" }],
    ] as const;
    const ana = { cookie: "psession=ana-desktop" };
    for (const [method, target, headers] of declined)
      expect(both.take(target, { ...ana, ...headers }, method), `${method} ${target}`).toBeNull();
    // Nothing above touched Ana's bucket (burst 1): its one token is still there.
    expect((await both.fast("/api/chat-list", ana)).status).toBe(200);
    expect((await both.fast("/api/chat-list", ana)).status).toBe(429);
    expect(both.direct.logs.filter((event) => event.event === "request")).toHaveLength(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, type Reply, startFakeUpstream } from "../support/fake-upstream.js";
import { startGateway } from "../support/gateway.js";

/**
 * Every upstream fault against every HTTP source kind, through real loopback servers: the
 * response comes within the source timeout plus a margin, the failing source's status and reason
 * are right, the other sources' items are intact, and nothing is left behind.
 *
 * Written to hold on a busy machine (the upstreams, the gateway and vitest share this process):
 * only the faults that are about time (`timing`) give the faulty source a short timeout; every
 * other source, and every other fault, has a generous one, so a slow moment (gzipping 8 MB on a
 * loaded core, say) cannot turn an `error` into a `timeout`. What must be gone afterwards is
 * waited for (sockets close on their own events), not given a fixed few milliseconds.
 */

/** The faulty source's timeout for the faults about time: what their bound is measured from. */
const TIMEOUT_MS = 300;
/** Every other source's timeout (and the faulty one's, for faults not about time). */
const GENEROUS_TIMEOUT_MS = 5000;
/** How late after its timeout a timed-out source may be answered. The bound is the point of the
 * timing faults, so it is generous (2 s on a loaded machine is plenty) yet far below when those
 * faults would end by themselves: headers after 10 s, a trickle over about 9 s. */
const MARGIN_MS = 2000;
/** How long what a request left behind (sockets, timers) may take to go, once closed: well under
 * the lifetime of anything the gateway could leak (its deadlines are GENEROUS_TIMEOUT_MS and
 * more, undici's idle sockets live 4 s), so a leak still shows. */
const SETTLE_MS = 2000;
const CAP_BYTES = 64 * 1024;

type Kind = "portal" | "executor_registry" | "agent_store";

const KINDS: Record<
  Kind,
  {
    path: string;
    name: string;
    item: (i: number) => unknown;
    bad: unknown;
    wrap: (items: unknown[]) => unknown;
  }
> = {
  portal: {
    path: "/v1/portal/chats",
    name: "portal",
    item: (i) => ({ id: 1000 + i, chat_type: "group", name: `chat ${i}` }),
    bad: { id: { nested: true }, chat_type: "group" },
    wrap: (items) => items,
  },
  executor_registry: {
    path: "/executors",
    name: "executors",
    item: (i) => ({ type: `EXEC_${i}`, is_available: true, session_count: 1, last_active: null }),
    bad: { name: "no type or id" },
    wrap: (items) => ({ executors: items }),
  },
  agent_store: {
    path: "/agents",
    name: "agents",
    item: (i) => ({ id: `agent-${i}`, is_global: true, session_count: 0, last_active: null }),
    bad: { id: ["not", "an", "id"] },
    wrap: (items) => ({ agents: items }),
  },
};

interface Fault {
  name: string;
  reply: (kind: Kind, other: FakeUpstream) => Reply;
  /** Use a port nobody listens on instead of the upstream. */
  refused?: boolean;
  status: string;
  reason: RegExp;
  /** The faulty source's item count when it still answers. */
  items?: number;
  /** A second request must not call the upstream (Retry-After). */
  holdsBack?: boolean;
  /** The upstream must not have sent its whole body (the gateway stopped reading). */
  cutShort?: boolean;
  /** The fault is about time: the faulty source gets the short TIMEOUT_MS. */
  timing?: boolean;
}

const bigList = (kind: Kind, count: number) =>
  KINDS[kind].wrap(Array.from({ length: count }, (_, i) => KINDS[kind].item(i)));

const FAULTS: Fault[] = [
  {
    name: "connection refused",
    reply: () => ({}),
    refused: true,
    status: "error",
    reason: /connection failed/,
  },
  {
    name: "reset mid-body",
    reply: (k) => ({ json: bigList(k, 50), resetAfterBytes: 40 }),
    status: "error",
    reason: /connection failed|terminated/,
  },
  {
    name: "headers slower than the timeout",
    reply: (k) => ({ delayMs: 10_000, json: bigList(k, 1) }),
    status: "timeout",
    reason: /no answer within 300 ms/,
    timing: true,
  },
  {
    name: "a body that trickles past the timeout",
    reply: (k) => ({ json: bigList(k, 20), trickle: { chunkBytes: 8, everyMs: 50 } }),
    status: "timeout",
    reason: /no answer within 300 ms/,
    cutShort: true,
    timing: true,
  },
  {
    name: "500",
    reply: () => ({ status: 500, json: { detail: "Internal Server Error" } }),
    status: "error",
    reason: /HTTP 500/,
  },
  {
    name: "503 with Retry-After",
    reply: () => ({
      status: 503,
      headers: { "retry-after": "30" },
      json: { detail: "maintenance" },
    }),
    status: "error",
    reason: /HTTP 503/,
    holdsBack: true,
  },
  {
    name: "429 with Retry-After",
    reply: () => ({
      status: 429,
      headers: { "retry-after": "30" },
      json: { detail: "Too Many Requests" },
    }),
    status: "error",
    reason: /HTTP 429/,
    holdsBack: true,
  },
  {
    name: "an HTML error page",
    reply: () => ({
      status: 502,
      body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
      headers: { "content-type": "text/html" },
    }),
    status: "error",
    reason: /HTTP 502/,
  },
  {
    name: "invalid JSON",
    reply: () => ({ body: '{"executors": [', headers: { "content-type": "application/json" } }),
    status: "error",
    reason: /not valid JSON/,
  },
  {
    name: "valid JSON of the wrong shape",
    reply: () => ({ json: { unexpected: { shape: true } } }),
    status: "error",
    reason: /expected a list/,
  },
  {
    name: "half the items malformed",
    reply: (k) => ({
      json: KINDS[k].wrap([0, 1, 2, 3].flatMap((i) => [KINDS[k].item(i), KINDS[k].bad])),
    }),
    status: "ok",
    reason: /^$/,
    items: 4,
  },
  {
    name: "a body over the size cap",
    reply: (k) => ({ json: bigList(k, 20_000), trickle: { chunkBytes: 16 * 1024, everyMs: 1 } }),
    status: "error",
    reason: /cap/,
    cutShort: true,
  },
  {
    name: "a gzip body that inflates past the cap",
    reply: () => ({ json: ["x".repeat(8 * 1024 * 1024)], gzip: true }),
    status: "error",
    reason: /cap/,
  },
  {
    name: "a body nested deeper than 64 levels",
    reply: () => ({
      body: `${"[".repeat(30_000)}${"]".repeat(30_000)}`,
      headers: { "content-type": "application/json" },
    }),
    status: "error",
    reason: /nested deeper than 64/,
  },
  {
    name: "a redirect to another origin",
    reply: (_k, other) => ({ status: 302, headers: { location: `${other.url}/elsewhere` } }),
    status: "error",
    reason: /redirect to another origin/,
  },
];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
const sockets = () =>
  process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length;

async function healthyUpstream(kind: Kind) {
  const routes: Record<string, Reply> = {
    [KINDS[kind].path]: { json: KINDS[kind].wrap([KINDS[kind].item(99)]) },
  };
  return startFakeUpstream(routes);
}

describe.each(Object.keys(KINDS) as Kind[])("faults of a %s source", (faulty) => {
  it.each(FAULTS)("$name", async (fault) => {
    const baseline = { timers: timers(), sockets: sockets() };
    const other = await startFakeUpstream({ "/elsewhere": { json: [] } });
    const upstreams = {} as Record<Kind, FakeUpstream>;
    for (const kind of Object.keys(KINDS) as Kind[]) upstreams[kind] = await healthyUpstream(kind);
    upstreams[faulty].route({ [KINDS[faulty].path]: fault.reply(faulty, other) });
    const closedPort = await startFakeUpstream();
    await closedPort.close();

    const faultyTimeoutMs = fault.timing ? TIMEOUT_MS : GENEROUS_TIMEOUT_MS;
    const sources = (Object.keys(KINDS) as Kind[]).map((kind) => ({
      kind,
      name: KINDS[kind].name,
      baseUrl: kind === faulty && fault.refused ? closedPort.url : upstreams[kind].url,
      timeoutMs: kind === faulty ? faultyTimeoutMs : GENEROUS_TIMEOUT_MS,
    }));
    const gw = await startGateway({
      sources,
      deadlineMs: 2 * GENEROUS_TIMEOUT_MS,
      upstream: { maxBodyBytes: CAP_BYTES },
    });

    const started = Date.now();
    const response = await gw.get("/api/chat-list", { psession: "user-1" });
    const elapsed = Date.now() - started;
    const body = (await response.json()) as {
      items: { id: string; source_name: string }[];
      sources: { name: string; status: string; error: string | null; item_count: number }[];
    };

    expect(response.status).toBe(200);
    expect(elapsed).toBeLessThan(faultyTimeoutMs + MARGIN_MS);
    const report = body.sources.find((source) => source.name === KINDS[faulty].name);
    expect(report?.status).toBe(fault.status);
    if (fault.status === "ok") expect(report?.item_count).toBe(fault.items);
    else expect(report?.error).toMatch(fault.reason);
    for (const kind of Object.keys(KINDS) as Kind[]) {
      if (kind === faulty) continue;
      expect(body.sources.find((source) => source.name === KINDS[kind].name)?.status).toBe("ok");
      expect(body.items.filter((item) => item.source_name === KINDS[kind].name)).toHaveLength(1);
    }

    const listCalls = () => upstreams[faulty].callsTo(KINDS[faulty].path).length;
    if (fault.holdsBack) {
      const before = listCalls();
      const again = (await (
        await gw.get("/api/chat-list", { psession: "user-2" })
      ).json()) as typeof body;
      expect(listCalls()).toBe(before);
      expect(again.sources.find((source) => source.name === KINDS[faulty].name)?.error).toMatch(
        /Retry-After/,
      );
    }
    if (fault.cutShort) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sent = upstreams[faulty].callsTo(KINDS[faulty].path)[0]?.sent;
      expect(sent?.completed).toBe(false);
    }
    if (fault.name === "a redirect to another origin") expect(other.calls).toHaveLength(0);

    await gw.close();
    await Promise.all([
      other.close(),
      ...Object.values(upstreams).map((upstream) => upstream.close()),
    ]);
    // Closed sockets are gone once their close events have run: wait for that, not for a time.
    const settled = { timeout: SETTLE_MS, interval: 20 };
    await expect.poll(sockets, settled).toBeLessThanOrEqual(baseline.sockets);
    await expect.poll(timers, settled).toBeLessThanOrEqual(baseline.timers);
    expect(unhandled).toEqual([]);
  });
});

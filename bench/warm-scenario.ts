// The warm-cache scenario: the built gateway as `npm start` runs it (request log and metrics on,
// read state in SQLite; the rate limit off for the load generator's one address) against two
// bare Hono apps in processes of their own — one answering the same body with one header (the
// ceiling issue 16 names), one answering the same body with the same headers the gateway sent
// (what Node itself costs for those headers). Interleaved rounds at c=32; median ratios.

import {
  autocannon,
  bareServer,
  builtGateway,
  COOKIE,
  configFor,
  type Gateway,
  median,
  round,
  upstreams,
} from "./harness.js";
import { cpuSeconds } from "./instrumentation.js";

/** Headers Node's HTTP server adds by itself, so a bare app does not set them. */
export const NODE_OWN = new Set([
  "connection",
  "keep-alive",
  "date",
  "content-length",
  "transfer-encoding",
]);

export interface WarmRound {
  list_rps: number;
  bare_rps: number;
  bare_same_headers_rps: number;
  ratio: number;
  ratio_same_headers: number;
  /** CPU time (user + system) of each server process per request, µs. */
  list_cpu_us: number;
  bare_cpu_us: number;
  bare_same_headers_cpu_us: number;
  /** CPU per request of the gateway over the same-headers route's. */
  cpu_ratio_same_headers: number;
  /** With `before`: the other checkout's gateway in the same round. */
  before_rps?: number;
  before_cpu_us?: number;
}

async function measure(
  gateway: Gateway,
  url: string,
  seconds: number | undefined,
  ifNoneMatch?: string,
) {
  const before = cpuSeconds(gateway.pid);
  const load = await autocannon(url, {
    connections: 32,
    ...(seconds === undefined ? {} : { seconds }),
    ...(ifNoneMatch === undefined ? {} : { headers: { "if-none-match": ifNoneMatch } }),
  });
  const cpuUs = ((cpuSeconds(gateway.pid) - before) * 1e6) / Math.max(1, load.requests);
  // A revalidation is answered 304 every time (checked on one request before the rounds).
  const expected = ifNoneMatch === undefined ? 0 : load.requests;
  if (load.non2xx !== expected) throw new Error(`${url}: ${load.non2xx} non-2xx answers`);
  return { rps: load.rps, cpuUs };
}

export async function warmScenario(options: {
  rounds: number;
  seconds?: number;
  nodeFlags?: string[];
  /** Another checkout, measured in the same rounds (a before/after). */
  before?: string;
  onRound?: (round: WarmRound, index: number) => void;
  /** The revalidation: every request sends the list's ETag back (If-None-Match) and is
   * answered 304; the bare routes answer the same 304 with the same headers. */
  revalidate?: boolean;
}) {
  const listPath = "/api/chat-list?workspace_path=/bench/project";
  const u = await upstreams();
  const gw = await builtGateway(configFor(u, { cache: { ttlMs: 600_000, staleIfErrorMs: 0 } }), {
    ...(options.nodeFlags === undefined ? {} : { nodeFlags: options.nodeFlags }),
  });
  const servers: Gateway[] = [gw];
  try {
    const before =
      options.before === undefined
        ? undefined
        : await builtGateway(configFor(u, { cache: { ttlMs: 600_000, staleIfErrorMs: 0 } }), {
            root: options.before,
          });
    if (before !== undefined) {
      servers.push(before);
      await fetch(`${before.url}${listPath}`, { headers: { cookie: COOKIE } }).then((r) =>
        r.text(),
      );
    }
    const first = await fetch(`${gw.url}${listPath}`, { headers: { cookie: COOKIE } });
    const etag = options.revalidate ? (first.headers.get("etag") ?? undefined) : undefined;
    if (options.revalidate && etag === undefined) throw new Error("the list sent no ETag");
    const captured =
      etag === undefined
        ? first
        : await fetch(`${gw.url}${listPath}`, {
            headers: { cookie: COOKIE, "if-none-match": etag },
          });
    const status = etag === undefined ? 200 : 304;
    if (captured.status !== status) throw new Error(`the gateway answered ${captured.status}`);
    const body = new Uint8Array(await captured.arrayBuffer());
    const sent = Object.fromEntries([...captured.headers].filter(([name]) => !NODE_OWN.has(name)));
    const bare = await bareServer(
      body,
      status === 304 ? { etag: etag as string } : undefined,
      status,
    );
    servers.push(bare);
    const bareSame = await bareServer(body, sent, status);
    servers.push(bareSame);
    // The same-headers ceiling sends what the gateway sent: the same names, values of the same
    // length (the request id and Server-Timing differ per request) and the same body.
    const shape = async (response: Response) => ({
      status: response.status,
      bytes: (await response.arrayBuffer()).byteLength,
      headers: [...response.headers]
        .filter(([name]) => name !== "date")
        .map(([name, value]) => `${name}:${name === "server-timing" ? "" : value.length}`)
        .sort(),
    });
    const probe = (url: string) =>
      fetch(`${url}${listPath}`, {
        headers: { cookie: COOKIE, ...(etag === undefined ? {} : { "if-none-match": etag }) },
      });
    const [ours, theirs] = [
      await shape(await probe(gw.url)),
      await shape(await probe(bareSame.url)),
    ];
    // The body's sources carry their ages, which may take a digit more or less.
    const sameBytes = Math.abs(ours.bytes - theirs.bytes) <= Math.max(8, ours.bytes / 100);
    if (
      ours.status !== theirs.status ||
      !sameBytes ||
      JSON.stringify(ours.headers) !== JSON.stringify(theirs.headers)
    )
      throw new Error(`the ceiling differs: ${JSON.stringify({ ours, theirs })}`);
    const rounds: WarmRound[] = [];
    // A short run of each first: compiled code and pools in place before anything counts.
    for (const server of servers) await measure(server, `${server.url}${listPath}`, 1, etag);
    for (let index = 0; index < options.rounds; index++) {
      const old =
        before === undefined
          ? undefined
          : await measure(before, `${before.url}${listPath}`, options.seconds, etag);
      const list = await measure(gw, `${gw.url}${listPath}`, options.seconds, etag);
      const plain = await measure(bare, `${bare.url}${listPath}`, options.seconds, etag);
      const same = await measure(bareSame, `${bareSame.url}${listPath}`, options.seconds, etag);
      const result: WarmRound = {
        list_rps: round(list.rps, 0),
        bare_rps: round(plain.rps, 0),
        bare_same_headers_rps: round(same.rps, 0),
        ratio: round(list.rps / plain.rps),
        ratio_same_headers: round(list.rps / same.rps),
        list_cpu_us: round(list.cpuUs, 1),
        bare_cpu_us: round(plain.cpuUs, 1),
        bare_same_headers_cpu_us: round(same.cpuUs, 1),
        cpu_ratio_same_headers: round(list.cpuUs / same.cpuUs),
        ...(old === undefined
          ? {}
          : { before_rps: round(old.rps, 0), before_cpu_us: round(old.cpuUs, 1) }),
      };
      rounds.push(result);
      options.onRound?.(result, index);
    }
    const mid = (pick: (r: WarmRound) => number, digits = 2) =>
      round(median(rounds.map(pick)), digits);
    return {
      response_headers_set_by_the_gateway: Object.keys(sent).length,
      list_rps: mid((r) => r.list_rps, 0),
      bare_rps: mid((r) => r.bare_rps, 0),
      bare_same_headers_rps: mid((r) => r.bare_same_headers_rps, 0),
      ratio: mid((r) => r.ratio),
      ratio_same_headers: mid((r) => r.ratio_same_headers),
      status,
      /** The target's measure: CPU per request over the same-headers route's, median. */
      cpu_ratio_same_headers: mid((r) => r.cpu_ratio_same_headers),
      cpu_us_per_request: {
        list: mid((r) => r.list_cpu_us, 1),
        bare: mid((r) => r.bare_cpu_us, 1),
        bare_same_headers: mid((r) => r.bare_same_headers_cpu_us, 1),
        ...(before === undefined ? {} : { before: mid((r) => r.before_cpu_us ?? 0, 1) }),
      },
      ...(before === undefined
        ? {}
        : {
            vs_before: {
              rps: mid((r) => r.list_rps / (r.before_rps ?? 1)),
              cpu_per_request: mid((r) => r.list_cpu_us / (r.before_cpu_us ?? 1)),
            },
          }),
      rounds,
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await u.close();
  }
}

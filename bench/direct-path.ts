// The list's direct path in process, without sockets or the HTTP stack: what the gateway's own
// code costs a warm list request (or, with --revalidate, a 304) as `npm start` wires it — the
// JSON logger into a batched line writer (to nowhere), prom-client metrics, native SHA-256,
// read markers in memory. Prints the median CPU µs per request over blocks of 1,000; run under
// `node --cpu-prof` for a profile of that code alone, JIT-warm.
//
//   node --import tsx bench/direct-path.ts [--revalidate] [--seconds N]
import { parseConfig } from "../src/config/load.js";
import { createJsonLogger } from "../src/core/logger.js";
import { createGateway } from "../src/http/app.js";
import { createLineWriter } from "../src/runtime/node/line-writer.js";
import { createPrometheusMetrics } from "../src/runtime/node/prometheus-metrics.js";
import { nodeSha256Hex } from "../src/runtime/node/sha256.js";
import { createPooledFetch } from "../src/runtime/node/undici-fetch.js";
import { COOKIE, configFor, median, round, upstreams } from "./harness.js";

const revalidate = process.argv.includes("--revalidate");
const secondsAt = process.argv.indexOf("--seconds");
const seconds = secondsAt === -1 ? 5 : Number(process.argv[secondsAt + 1]);
const u = await upstreams();
const config = parseConfig(
  configFor(u, { cache: { ttlMs: 600_000, staleIfErrorMs: 0 }, state: { kind: "memory" } }),
);
const pool = createPooledFetch(config.upstream.connectionsPerOrigin);
let written = 0;
const lines = createLineWriter((text) => {
  written += text.length;
});
const { listFastPath } = createGateway({
  config,
  fetch: pool.fetch,
  logger: createJsonLogger(lines.line),
  metrics: createPrometheusMetrics(),
  sha256Hex: nodeSha256Hex,
});
const target = "/api/chat-list?workspace_path=/bench/project";
const headers: Record<string, string> = { host: "127.0.0.1:8787", cookie: COOKIE };
const ask = async () => {
  const pending = listFastPath({
    method: "GET",
    target,
    header: (name) => headers[name],
    clientAddress: () => "127.0.0.1",
  });
  if (pending === null) throw new Error("declined");
  return pending;
};
const first = await ask();
if (revalidate) headers["if-none-match"] = first.headers.ETag as string;
const expected = revalidate ? 304 : 200;
const times: number[] = [];
const until = performance.now() + seconds * 1000;
// CPU time of this process (user + system) per block, not wall time: the machine is shared.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
while (performance.now() < until) {
  const started = cpuMs();
  for (let i = 0; i < 1000; i++) {
    const answer = await ask();
    if (answer.status !== expected) throw new Error(`HTTP ${answer.status}`);
  }
  times.push(cpuMs() - started);
}
console.log(
  JSON.stringify({
    revalidate,
    blocks: times.length,
    cpu_us_per_request: round(median(times), 2),
    log_bytes: written,
  }),
);
await pool.close();
await u.close();
process.exit(0);

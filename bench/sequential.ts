// Load generator for the c=1 overhead at sub-millisecond resolution, in its own process:
// sequential requests to two URLs (the gateway, and its slowest upstream alone), alternating in
// blocks so both see the same moments of the machine. autocannon reports whole milliseconds,
// too coarse for a 2 ms target. Prints one JSON line: p50 and p99 of each, in ms.
//
//   node --import tsx bench/sequential.ts GATEWAY_URL UPSTREAM_URL [requests] [cookie]
import { request } from "node:http";

const [gatewayUrl = "", upstreamUrl = "", countText = "600", cookie] = process.argv.slice(2);
const count = Number(countText);

/** One GET on a kept-alive connection, read to its end; milliseconds from first byte sent. */
const agentOptions = { keepAlive: true, maxSockets: 1 };
const { Agent } = await import("node:http");
const agents = new Map<string, InstanceType<typeof Agent>>();
function timeOne(url: string): Promise<number> {
  let agent = agents.get(url);
  if (agent === undefined) {
    agent = new Agent(agentOptions);
    agents.set(url, agent);
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(performance.now() - started)
          : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const times: Record<"gateway" | "upstream", number[]> = { gateway: [], upstream: [] };
for (let i = 0; i < 20; i++) {
  await timeOne(gatewayUrl);
  await timeOne(upstreamUrl);
}
const block = 50;
for (let done = 0; done < count; done += block) {
  for (let i = 0; i < block; i++) times.gateway.push(await timeOne(gatewayUrl));
  for (let i = 0; i < block; i++) times.upstream.push(await timeOne(upstreamUrl));
}
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) /
    100
  );
};
process.stdout.write(
  `${JSON.stringify({
    requests: count,
    gateway: { p50: percentile(times.gateway, 0.5), p99: percentile(times.gateway, 0.99) },
    upstream: { p50: percentile(times.upstream, 0.5), p99: percentile(times.upstream, 0.99) },
  })}\n`,
);
for (const agent of agents.values()) agent.destroy();

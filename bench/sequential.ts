// Load generator for the c=1 overhead at sub-millisecond resolution, in its own process:
// sequential requests to several URLs (the gateway, a minimal proxy, the slowest upstream
// alone), alternating in blocks so all see the same moments of the machine. autocannon reports
// whole milliseconds, too coarse for a 2 ms target. Prints one JSON line: p50 and p99 of each
// name, in ms.
//
//   node --import tsx bench/sequential.ts REQUESTS COOKIE NAME=URL [NAME=URL ...]
import { Agent, request } from "node:http";

const [countText = "600", cookie = "", ...targets] = process.argv.slice(2);
const count = Number(countText);
const urls = targets.map((target) => {
  const at = target.indexOf("=");
  return { name: target.slice(0, at), url: target.slice(at + 1) };
});

/** One GET on a kept-alive connection, read to its end; milliseconds from first byte sent. */
const agents = new Map<string, Agent>();
function timeOne(url: string): Promise<number> {
  let agent = agents.get(url);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
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

const times = new Map(urls.map(({ name }) => [name, [] as number[]]));
for (let i = 0; i < 20; i++) for (const { url } of urls) await timeOne(url);
const block = 50;
for (let done = 0; done < count; done += block)
  for (const { name, url } of urls)
    for (let i = 0; i < block; i++) times.get(name)?.push(await timeOne(url));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) /
    100
  );
};
const result: Record<string, unknown> = { requests: count };
for (const [name, values] of times)
  result[name] = { p50: percentile(values, 0.5), p99: percentile(values, 0.99) };
process.stdout.write(`${JSON.stringify(result)}\n`);
for (const agent of agents.values()) agent.destroy();

// The floor under the cold overhead: the least a gateway in front of the three upstreams can
// do. A plain Node HTTP server (no framework, no middleware, no log, no cache) that on every
// request calls the same three upstream URLs in parallel with undici's request (keep-alive,
// the gateway's pool size), parses each JSON body and answers one JSON object made of them.
// What the gateway adds above this is its own; what this adds above the slowest upstream is
// the extra hops and the fan-out, which any gateway pays. Plain JavaScript: no loader.
//
//   node bench/minimal-proxy.mjs UPSTREAM_URL [UPSTREAM_URL ...]
import { createServer } from "node:http";
import { Agent, request } from "undici";

const upstreams = process.argv.slice(2);
const pool = new Agent({ connections: 8 });
const server = createServer(async (_request, response) => {
  try {
    const bodies = await Promise.all(
      upstreams.map(async (url) => (await request(url, { dispatcher: pool })).body.json()),
    );
    const body = JSON.stringify({ sources: bodies });
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  } catch (error) {
    response.writeHead(502).end(String(error));
  }
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));

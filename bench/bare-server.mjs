// The ceiling a cached list is measured against: a bare Hono app — no middleware, one route —
// in its own process on the same Node, answering every GET with the bytes captured from the
// gateway's list (BARE_BODY_FILE) and, when BARE_HEADERS_JSON is set, with those headers as
// well (a plain header object, which node-server hands to Node as it is). Plain JavaScript: no
// loader in the way. BARE_STATUS=304 answers a revalidation: no body, the same headers.
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const status = Number(process.env.BARE_STATUS ?? 200);
const body = status === 304 ? null : readFileSync(process.env.BARE_BODY_FILE ?? "");
const app = new Hono();
const headers = process.env.BARE_HEADERS_JSON;
if (headers === undefined)
  app.get("*", (c) => c.body(body, 200, { "content-type": "application/json" }));
else {
  const init = { status, headers: JSON.parse(headers) };
  app.get("*", () => new Response(body, init));
}
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});
process.on("SIGTERM", () => process.exit(0));

// The ceiling a cached list is measured against: a bare Hono app — no middleware, one route —
// in its own process on the same Node, answering every GET with the bytes captured from the
// gateway's list (BARE_BODY_FILE). Plain JavaScript: no loader in the way.
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const body = readFileSync(process.env.BARE_BODY_FILE ?? "");
const app = new Hono();
app.get("*", (c) => c.body(body, 200, { "content-type": "application/json" }));
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});
process.on("SIGTERM", () => process.exit(0));

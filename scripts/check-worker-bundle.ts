// Builds the Worker bundle (wrangler deploy --dry-run) and fails when it contains a module that
// must never reach the edge (undici, @hono/node-server, Node-only runtime code) or when its gzip
// size exceeds the budget stated in the README.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

// 168 KiB since the OpenTelemetry API joined the bundle (issue 14): its tracing and context parts
// add about 9 KB minified, 5 KiB gzip, which took the bundle from 156.4 to 161.6 KiB. 176 KiB
// since the pass-through to a fronted backend (issue 21) took it from 165.4 to 168.8 KiB. 184 KiB
// since the writes (issue 24: two routes with their documentation, the write pipeline, the
// portal's write adapter, the Durable Object's idempotency keys) took it from 168.8 to
// 179.4 KiB (181.2 KiB with issue 22's changes since).
export const GZIP_BUDGET_BYTES = 184 * 1024;
const FORBIDDEN = [
  /node_modules\/undici\//,
  /node_modules\/@hono\/node-server\//,
  /src\/runtime\/node/,
];

execFileSync(
  "wrangler",
  ["deploy", "--dry-run", "--outdir", "dist", "--metafile", "dist/meta.json"],
  {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  },
);

const meta = JSON.parse(readFileSync("dist/meta.json", "utf8")) as {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
};
const inputs = Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs));
const forbidden = inputs.filter((input) => FORBIDDEN.some((pattern) => pattern.test(input)));
const gzipBytes = gzipSync(readFileSync("dist/worker.js")).length;

console.log(
  `worker bundle: ${inputs.length} modules, ${(gzipBytes / 1024).toFixed(1)} KiB gzip (budget ${GZIP_BUDGET_BYTES / 1024} KiB)`,
);
let failed = false;
if (forbidden.length > 0) {
  console.error(`the Worker bundle contains Node-only modules:\n  ${forbidden.join("\n  ")}`);
  failed = true;
}
if (gzipBytes > GZIP_BUDGET_BYTES) {
  console.error(
    `the Worker bundle is over its gzip budget: ${gzipBytes} > ${GZIP_BUDGET_BYTES} bytes`,
  );
  failed = true;
}
process.exit(failed ? 1 : 0);

// `npm run dev:worker`: the Worker under a local workerd (wrangler dev), offline.
// Extra arguments go to wrangler, e.g. `npm run dev:worker -- --port 8788 --var KEY:VALUE`.
import { spawn } from "node:child_process";

const child = spawn("wrangler", ["dev", "--ip", "127.0.0.1", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 1));

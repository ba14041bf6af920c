// `npm start` as a user runs it, with the build up to date: how long from the command to the
// first answer of the list, which processes serve (the tree), and their resident memory once
// idle. The config is the bench's (three loopback upstreams), so the first answer includes one
// cold collection.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, seen } from "../test/support/process-tree.js";
import { endGroup, spawnGroup } from "../test/support/processes.js";
import { COOKIE, gatewayEnv, ROOT, round, waitForUrl } from "./harness.js";

const rssMiB = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, 1);
};

export async function startupScenario(config: unknown, listPath: string) {
  const state = mkdtempSync(join(tmpdir(), "chat-list-bench-start-"));
  const started = performance.now();
  const npm = spawnGroup("npm", ["start"], {
    cwd: ROOT,
    env: gatewayEnv(config, state),
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const url = await waitForUrl(npm, /list: (http:\/\/\S+)\/api\/chat-list/);
    const listening = performance.now() - started;
    let status = 0;
    while (status !== 200) {
      status = (await fetch(`${url}${listPath}`, { headers: { cookie: COOKIE } })).status;
      if (performance.now() - started > 30_000) throw new Error(`no 200 after 30 s (${status})`);
    }
    const firstAnswer = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const tree = [seen(npm.pid as number), ...descendants(npm.pid as number)].flatMap((one) =>
      one === undefined
        ? []
        : [{ pid: one.pid, args: one.args.join(" "), rss_mib: rssMiB(one.pid) }],
    );
    return {
      node: process.version,
      listening_ms: round(listening, 0),
      first_answer_ms: round(firstAnswer, 0),
      processes: tree,
      serving_rss_mib: tree.at(-1)?.rss_mib ?? 0,
      total_rss_mib: round(
        tree.reduce((sum, one) => sum + one.rss_mib, 0),
        1,
      ),
    };
  } finally {
    await endGroup(npm.pid as number);
    rmSync(state, { recursive: true, force: true });
  }
}

// DESIGN §11: the gateway outlives the shell that started it. `nohup node dist/node/server.mjs &`
// from a shell that exits, or a script that backgrounds it, must keep serving; only the
// `npm start` launcher's own child watches its parent (test/runtime/npm-start-signals.test.ts
// checks that side: nothing is left when npm is killed).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildIfStale, SERVER } from "../../scripts/build.mjs";
import { freePort } from "../support/free-port.js";
import { seen } from "../support/process-tree.js";
import { useProcessGroups } from "../support/use-processes.js";

const spawn = useProcessGroups();

beforeAll(async () => {
  await buildIfStale();
}, 60_000);

/** Runs `script` in sh, which starts the gateway in the background; once the gateway listens,
 * the shell exits (as a user closes a terminal, or a script ends, after the start). */
async function backgroundedBy(script: (server: string, log: string) => string) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "chat-list-orphan-"));
  const log = join(dir, "gateway.log");
  // The shell leads a process group of its own, which the gateway stays in: the test's clean-up
  // ends the group, so the orphan does not outlive the test.
  const quotedLog = `"${log}"`;
  const untilListening = `until grep -q "list: http://" ${quotedLog} 2>/dev/null; do sleep 0.05; done`;
  const command = `${script(`"${process.execPath}" "${SERVER}"`, quotedLog)}; ${untilListening}`;
  const shell = spawn("sh", ["-c", command], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      XDG_STATE_HOME: dir,
      CHAT_LIST_CONFIG: "",
      CHAT_LIST_CONFIG_JSON: JSON.stringify({ sources: [] }),
      npm_config_update_notifier: "false",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let printed = "";
  shell.stdout?.on("data", (chunk) => {
    printed += chunk;
  });
  // The shell exits once the gateway has said it listens: an event, not a fixed time.
  await new Promise((resolve) => shell.on("exit", resolve));
  const pid = Number(printed.trim());
  const base = `http://127.0.0.1:${port}`;
  return { pid, shellPid: shell.pid as number, base, log: () => readFileSync(log, "utf8") };
}

const healthy = (base: string) =>
  fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
    (response) => response.status,
    (error: Error) => error.message,
  );

/** What the gateway must still do once its parent is gone. */
async function keepsServing(run: Awaited<ReturnType<typeof backgroundedBy>>) {
  // Its parent is gone: the gateway was adopted by init (or a subreaper).
  expect(seen(run.pid)?.ppid).not.toBe(run.shellPid);
  // The old watch looked at the parent every 500 ms and stopped within one look. The point of
  // this test is that nothing happens, so it waits a fixed time: 3 s, six looks, generous on a
  // busy machine (a timer 2.5 s late is far beyond what two busy cores cause).
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(await healthy(run.base)).toBe(200);
  expect(run.log()).not.toContain('"event":"shutdown"');
  expect(seen(run.pid)).toBeDefined();
}

describe.skipIf(process.platform !== "linux")("a gateway whose parent exits", () => {
  it("keeps serving when started with nohup … & from a shell that exits", async () => {
    const run = await backgroundedBy((server, log) => `nohup ${server} > ${log} 2>&1 & echo $!`);
    await keepsServing(run);
  }, 40_000);

  it("keeps serving when nohup npm start & comes from a shell that exits", async () => {
    const root = join(import.meta.dirname, "../..");
    const run = await backgroundedBy(
      (_, log) => `cd "${root}" && nohup npm start > ${log} 2>&1 & echo $!`,
    );
    await keepsServing(run);
  }, 40_000);

  it("keeps serving when a script backgrounds it and exits", async () => {
    const run = await backgroundedBy(
      (server, log) => `start_gateway() { ${server} > ${log} 2>&1 & echo $!; }; start_gateway`,
    );
    await keepsServing(run);
  }, 40_000);
});

import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useNodeEntry } from "../support/node-entry.js";
import {
  descendants,
  record,
  type SeenProcess,
  seen,
  stillRunning,
} from "../support/process-tree.js";
import { endGroup, spawnGroup } from "../support/processes.js";
import { useProcessGroups } from "../support/use-processes.js";

const startEntry = useNodeEntry();
const spawnCleaned = useProcessGroups();

const firstLine = (child: ChildProcess) =>
  new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      if (output.includes("\n")) resolve(output.split("\n")[0] as string);
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before printing`)));
  });

/** Kills what a broken cleanup left, so a failing test does not leak it too. */
function killLeft(processes: (SeenProcess | undefined)[]): void {
  for (const one of processes) if (one && stillRunning(one)) process.kill(one.pid, "SIGKILL");
}

/** Waits up to a second for init to reap what was killed. */
async function gone(processes: SeenProcess[]): Promise<SeenProcess[]> {
  for (let waited = 0; waited < 1000 && processes.some(stillRunning); waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return processes.filter(stillRunning);
}

describe.skipIf(process.platform !== "linux")("processes the tests start", () => {
  it("endGroup ends what a command started after the command exited, even what ignores SIGTERM", async () => {
    const stubborn = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
    const parent = spawnGroup(
      process.execPath,
      [
        "-e",
        `const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(stubborn)}, process.argv[1]], { stdio: "ignore" }); console.log(c.pid); setTimeout(() => process.exit(0), 200);`,
        import.meta.filename, // named on both command lines, so `ps` would show a leaked one
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const orphan = seen(Number(await firstLine(parent)));
    await once(parent, "exit");
    try {
      expect(orphan && stillRunning(orphan)).toBe(true); // its parent is gone; it is not
      await endGroup(parent.pid as number, { graceMs: 300 });
      expect(await gone([orphan as SeenProcess])).toEqual([]);
    } finally {
      killLeft([orphan]);
    }
  });

  const entryTree = new Map<string, SeenProcess>();
  it("runs the Node entry's gateway in a child of the tsx CLI (recorded for the next test)", async () => {
    const run = startEntry({ CHAT_LIST_CONFIG_JSON: "{}" });
    await run.listening;
    const cli = seen(run.child.pid as number) as SeenProcess;
    record(entryTree, [cli, ...descendants(cli.pid)]);
    expect([...entryTree.values()].some((one) => one.ppid === cli.pid)).toBe(true);
  });

  it("leaves none of those processes running once that test is over", async () => {
    expect(entryTree.size).toBeGreaterThan(1);
    expect(await gone([...entryTree.values()])).toEqual([]);
  });

  const leakyParent = join(import.meta.dirname, "fixtures/leaky-parent.ts");
  for (const [mode, ending] of [
    ["exit", { code: 3, signal: null }],
    ["throw", { code: 1, signal: null }],
    ["signal", { code: null, signal: "SIGTERM" }],
  ] as const)
    it(`kills a test process's groups when it ends by ${mode} without cleaning up`, async () => {
      const parent = spawnCleaned(process.execPath, ["--import", "tsx", leakyParent, mode], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      const sleeper = seen(Number(await firstLine(parent))) as SeenProcess;
      try {
        expect(stillRunning(sleeper)).toBe(true);
        const ended = once(parent, "exit");
        if (mode === "signal") parent.kill("SIGTERM");
        const [code, signal] = await ended;
        // It still ends as it would have without the last resort: same code, same signal.
        expect({ code, signal }).toEqual(ending);
        expect(await gone([sleeper])).toEqual([]);
      } finally {
        killLeft([sleeper]);
      }
    });
});

import { describe, expect, it } from "vitest";
import { useNodeEntry } from "../support/node-entry.js";
import { configFor, executorsReply, useResources } from "../support/resources.js";

// Issue 15, finding 4: the Node entry's exit status says whether the drain finished; a second
// signal ends it at once; nothing outlives the 10 s grace by more than a second.

const { upstream } = useResources();
const startEntry = useNodeEntry();
const GRACE_MS = 10_000;

/** The entry with one registry that answers after `delayMs`, and a request waiting on it. */
async function entryWithRequestInFlight(delayMs: number) {
  const registry = await upstream({ "/executors": { delayMs, ...executorsReply("CODEX") } });
  const run = startEntry({
    CHAT_LIST_CONFIG_JSON: JSON.stringify(configFor({ registry }, { deadlineMs: 30_000 }, 30_000)),
  });
  const listUrl = await run.listening;
  const pending = fetch(listUrl).then(
    (response) => response.status,
    () => "cut" as const,
  );
  while (registry.callsTo("/executors").length === 0)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return { run, pending };
}

const logEvents = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("stopping the Node entry", () => {
  it("exits 1 within a second of the grace, and logs it, when it had to cut a request", async () => {
    const { run, pending } = await entryWithRequestInFlight(25_000);
    const signalled = Date.now();
    run.child.kill("SIGTERM");
    const code = await run.exited;
    const took = Date.now() - signalled;
    expect(await pending).toBe("cut");
    expect(code).toBe(1);
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 100);
    // The gateway's own bound is grace + 1 s; the rest is tsx passing the signal and the exit on.
    expect(took).toBeLessThan(GRACE_MS + 1000 + 500);
    expect(logEvents(run.output().stdout)).toContainEqual(
      expect.objectContaining({ event: "shutdown_forced", requests_cut: 1 }),
    );
  }, 30_000);

  it("ends at once on a second signal, with 128 + its number", async () => {
    const { run, pending } = await entryWithRequestInFlight(5_000);
    run.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = Date.now();
    run.child.kill("SIGTERM");
    const code = await run.exited;
    expect(Date.now() - second).toBeLessThan(1000);
    expect(code).toBe(128 + 15);
    expect(await pending).toBe("cut");
    expect(logEvents(run.output().stdout)).toContainEqual(
      expect.objectContaining({ event: "shutdown_interrupted", signal: "SIGTERM" }),
    );
  }, 30_000);

  it("takes one signal repeated within a moment (npm, the launcher and tsx relay it) as one stop", async () => {
    const { run, pending } = await entryWithRequestInFlight(1_500);
    run.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    run.child.kill("SIGTERM");
    expect(await pending).toBe(200);
    expect(await run.exited).toBe(0);
  }, 30_000);
});

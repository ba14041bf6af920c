import type { ChildProcess, SpawnOptions } from "node:child_process";
import { afterEach } from "vitest";
import { endGroup, spawnGroup } from "./processes.js";

/**
 * Call at the top of a test file: returns a spawn whose processes (and everything they start)
 * are ended after each test, passed, failed or timed out, before the next one starts.
 */
export function useProcessGroups() {
  const started: number[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((pgid) => endGroup(pgid)));
  });
  return (command: string, args: readonly string[], options?: SpawnOptions): ChildProcess => {
    const child = spawnGroup(command, args, options);
    if (child.pid !== undefined) started.push(child.pid);
    return child;
  };
}

// Child processes that cannot outlive whoever started them. Each is spawned as the leader of its
// own process group and ended by signalling the whole group: a command's children are not ended
// with it (the tsx CLI's SIGKILL leaves the Node process it started running, adopted by init).
// Plain Node, no vitest: the benchmarks and the soak use it too.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

interface Registry {
  /** Group ids that may still have a process: removed once a signal to the group finds none. */
  groups: Set<number>;
  lastResortInstalled: boolean;
}

// On globalThis, so that every copy of this module in one process (vitest evaluates it once per
// test file) shares one registry and installs the last resort once.
const KEY = Symbol.for("chat-list-gateway.process-groups");
const registry: Registry = ((globalThis as Record<symbol, unknown>)[KEY] as Registry) ?? {
  groups: new Set(),
  lastResortInstalled: false,
};
(globalThis as Record<symbol, unknown>)[KEY] = registry;

/**
 * Spawns `command` as the leader of a new process group (its pid is the group id), so one
 * signal reaches everything it starts, however deep. Whatever is left of the group when this
 * process exits, or is ended by SIGINT/SIGTERM/SIGHUP, gets SIGKILL.
 */
export function spawnGroup(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  installLastResort();
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) registry.groups.add(child.pid);
  return child;
}

/** Sends `signal` (0: none, just look) to every process of the group; false when none is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    registry.groups.delete(pgid);
    return false;
  }
}

/**
 * Ends a group: `signal` to all its processes, SIGKILL to whatever is left after `graceMs`.
 * Resolves once no process of the group is left (or a second after the SIGKILL: a zombie that
 * init has not reaped yet runs nothing).
 */
export async function endGroup(
  pgid: number,
  { signal = "SIGTERM", graceMs = 3000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (!signalGroup(pgid, signal)) return;
  const killAt = Date.now() + graceMs;
  let killed = signal === "SIGKILL";
  let giveUpAt = killed ? Date.now() + 1000 : Number.POSITIVE_INFINITY;
  while (signalGroup(pgid, 0) && Date.now() < giveUpAt) {
    if (!killed && Date.now() >= killAt) {
      signalGroup(pgid, "SIGKILL");
      killed = true;
      giveUpAt = Date.now() + 1000;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  registry.groups.delete(pgid);
}

/** Ends every group spawnGroup started in this process that still has a process. */
export async function endAllGroups(options?: Parameters<typeof endGroup>[1]): Promise<void> {
  await Promise.all([...registry.groups].map((pgid) => endGroup(pgid, options)));
}

function killAllNow(): void {
  for (const pgid of registry.groups) signalGroup(pgid, "SIGKILL");
}

// The last resort, for a test that failed or timed out before its cleanup, or a script that
// threw: 'exit' handlers must be synchronous, so SIGKILL. A signal that would end this process
// ends its groups first, then (when no one else handles it) this process as it would have.
// A vitest worker whose main process was killed runs on until its test ends: the closing of
// its IPC channel ends the groups at once.
function installLastResort(): void {
  if (registry.lastResortInstalled) return;
  registry.lastResortInstalled = true;
  process.on("exit", killAllNow);
  if (process.channel) process.once("disconnect", killAllNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      killAllNow();
      const handledElsewhere = process.listenerCount(signal) > 1;
      process.removeListener(signal, onSignal);
      if (!handledElsewhere) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

// What a process started, read from /proc (Linux), for tests that check nothing outlives a stop.
import { readdirSync, readFileSync } from "node:fs";

/** A process as seen once: its start time tells it apart from a later one given the same pid. */
export interface SeenProcess {
  pid: number;
  ppid: number;
  /** Clock ticks since boot (field 22 of /proc/<pid>/stat). */
  start: string;
  state: string;
  /** Its command line (empty for a kernel thread or a process that is going away). */
  args: string[];
}

/** The process with this pid now, or undefined when there is none. */
export function seen(pid: number): SeenProcess | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  let args: string[] = [];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    // gone meanwhile
  }
  return { pid, ppid: Number(fields[1]), start: fields[19] ?? "", state: fields[0] ?? "", args };
}

/** Every live descendant of `pid` (children, their children, ...), not `pid` itself. */
export function descendants(pid: number): SeenProcess[] {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => seen(Number(name)))
    .filter((one): one is SeenProcess => one !== undefined && one.state !== "Z");
  const found: SeenProcess[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const one of all)
      if (parents.has(one.ppid) && !parents.has(one.pid)) {
        parents.add(one.pid);
        found.push(one);
        grew = true;
      }
  }
  return found;
}

/** Whether the very process seen is still running (not a zombie, not a new one with its pid). */
export function stillRunning(then: SeenProcess): boolean {
  const now = seen(then.pid);
  return now !== undefined && now.start === then.start && now.state !== "Z";
}

/** Adds to `into` the processes not seen before (so a tree can be recorded as it grows). */
export function record(into: Map<string, SeenProcess>, processes: SeenProcess[]): void {
  for (const one of processes) into.set(`${one.pid}:${one.start}`, one);
}

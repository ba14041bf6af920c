import type { Timers } from "../../src/live/feed.js";

/** Timers and a clock that move only when the test says so. */
export function manualTimers(start = Date.UTC(2026, 10, 22)) {
  let now = start;
  let nextId = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    setTimeout(run, ms) {
      const id = nextId++;
      due.set(id, { at: now + Math.max(0, ms), run });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
  };
  /** Moves time forward, running every timer that falls due, in order, and what they queue. */
  async function advance(ms: number): Promise<void> {
    const until = now + ms;
    for (;;) {
      await flush();
      const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > until) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].run();
    }
    now = until;
    await flush();
  }
  return { timers, clock: { now: () => now }, advance, pending: () => due.size };
}

/** Lets settled promises' callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

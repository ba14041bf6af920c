import { describe, expect, it } from "vitest";
import { createDiskWatchers, type WatchDir } from "../../src/live/disk-watchers.js";
import { manualTimers } from "../support/manual-timers.js";

/** A WatchDir that records what it watches and lets the test end a watch by itself. */
function fakeWatch() {
  const live = new Map<string, { change: (path?: string) => void; gone: () => void }>();
  let opened = 0;
  const watch: WatchDir = (dir, onChange, onGone) => {
    opened++;
    live.set(dir, { change: (path = dir) => onChange(path), gone: onGone });
    return () => live.delete(dir);
  };
  return { watch, live, opened: () => opened };
}

/** Disk watchers over fakeWatch, on manual timers, debounced 50 ms. */
function watchersOnFake() {
  const time = manualTimers();
  const fake = fakeWatch();
  const watchers = createDiskWatchers({
    watch: fake.watch,
    maxDirs: 10,
    maxDirsPerFeed: 10,
    debounceMs: 50,
    timers: time.timers,
  });
  return { time, fake, watchers };
}

describe("the live feeds' disk watchers", () => {
  it("watch a folder once for every feed that needs it, and close it with the last", async () => {
    const { time, fake, watchers } = watchersOnFake();
    let a = 0;
    let b = 0;
    const stopA = watchers.subscribe(["/x"], () => a++);
    const stopB = watchers.subscribe(["/x"], () => b++);
    expect(fake.opened()).toBe(1);
    fake.live.get("/x")?.change();
    fake.live.get("/x")?.change();
    await time.advance(60);
    expect([a, b]).toEqual([1, 1]);
    stopA();
    expect(fake.live.has("/x")).toBe(true);
    stopB();
    expect(fake.live.has("/x")).toBe(false);
  });

  it("watch a folder again after its watch ended by itself (the folder was removed and made again)", async () => {
    const { time, fake, watchers } = watchersOnFake();
    let changes = 0;
    watchers.subscribe(["/x"], () => changes++);
    fake.live.get("/x")?.gone();
    await time.advance(60);
    expect(changes).toBe(1);
    watchers.subscribe(["/x"], () => {});
    expect(fake.opened()).toBe(2);
  });
});

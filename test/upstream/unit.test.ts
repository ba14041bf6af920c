import { afterEach, describe, expect, it, vi } from "vitest";
import { mapWithConcurrency, successes } from "../../src/upstream/concurrency.js";
import { createDeadline } from "../../src/upstream/deadline.js";
import { parseRetryAfter } from "../../src/upstream/http-client.js";
import { nestedDeeperThan } from "../../src/upstream/json-depth.js";
import { TokenBucket } from "../../src/upstream/token-bucket.js";

const NOW = Date.parse("2015-10-21T07:28:00Z");

describe("parseRetryAfter", () => {
  it("reads delta-seconds as milliseconds", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
  });

  it("reads zero seconds as zero", () => {
    expect(parseRetryAfter("0", NOW)).toBe(0);
  });

  it("ignores surrounding whitespace", () => {
    expect(parseRetryAfter("  5 ", NOW)).toBe(5000);
  });

  it("reads an HTTP date as the time left until it", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:29:30 GMT", NOW)).toBe(90_000);
  });

  it("gives zero for an HTTP date in the past", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", NOW)).toBe(0);
  });

  it("gives undefined when the header is absent", () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it.each([
    ["an empty value", ""],
    ["a word", "soon"],
    ["a negative number", "-5"],
    ["a fraction", "1.5"],
    ["a word followed by a number", "later 1"],
  ])("gives undefined for %s", (_label, value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe("TokenBucket", () => {
  function manualClock(start = 1_000_000) {
    let t = start;
    return {
      clock: { now: () => t },
      advance(ms: number) {
        t += ms;
      },
      set(ms: number) {
        t = ms;
      },
    };
  }

  function takeAll(bucket: TokenBucket, tries: number): number {
    let taken = 0;
    for (let i = 0; i < tries; i++) if (bucket.take()) taken++;
    return taken;
  }

  it("starts full: it grants perMinute calls at once", () => {
    const { clock } = manualClock();
    expect(takeAll(new TokenBucket(5, clock), 5)).toBe(5);
  });

  it("refuses the call after the burst when no time has passed", () => {
    const { clock } = manualClock();
    const bucket = new TokenBucket(5, clock);
    takeAll(bucket, 5);
    expect(bucket.take()).toBe(false);
  });

  it("grants one more call once a 1/perMinute share of a minute has passed", () => {
    const time = manualClock();
    const bucket = new TokenBucket(6, time.clock);
    takeAll(bucket, 6);
    time.advance(10_000);
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });

  it("does not grant a call just before a token has refilled", () => {
    const time = manualClock();
    const bucket = new TokenBucket(6, time.clock);
    takeAll(bucket, 6);
    time.advance(9_999);
    expect(bucket.take()).toBe(false);
  });

  it("never holds more than perMinute tokens after a long idle", () => {
    const time = manualClock();
    const bucket = new TokenBucket(3, time.clock);
    takeAll(bucket, 3);
    time.advance(60 * 60_000);
    expect(takeAll(bucket, 10)).toBe(3);
  });

  it("reports no wait while a token is available", () => {
    const { clock } = manualClock();
    expect(new TokenBucket(2, clock).waitMs()).toBe(0);
  });

  it("reports a full token interval right after the bucket empties", () => {
    const { clock } = manualClock();
    const bucket = new TokenBucket(4, clock);
    takeAll(bucket, 4);
    expect(bucket.waitMs()).toBe(15_000);
  });

  it("reports the time left until the next token once part of it has passed", () => {
    const time = manualClock();
    const bucket = new TokenBucket(4, time.clock);
    takeAll(bucket, 4);
    time.advance(7_500);
    expect(bucket.waitMs()).toBe(7_500);
  });

  it("adds no tokens when the clock goes backwards", () => {
    const time = manualClock(10_000_000);
    const bucket = new TokenBucket(2, time.clock);
    takeAll(bucket, 2);
    time.set(0);
    time.advance(1);
    expect(bucket.take()).toBe(false);
  });

  it("never grants anything with a budget of zero per minute", () => {
    const time = manualClock();
    const bucket = new TokenBucket(0, time.clock);
    time.advance(10 * 60_000);
    expect(bucket.take()).toBe(false);
  });
});

describe("mapWithConcurrency", () => {
  const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("never runs more than the limit at once, and reaches it", async () => {
    let running = 0;
    let peak = 0;
    await mapWithConcurrency([5, 1, 4, 2, 3, 1, 5, 2, 1, 3], 3, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await tick(ms);
      running--;
      return ms;
    });
    expect(peak).toBe(3);
  });

  it("runs one at a time with a limit of 1", async () => {
    let running = 0;
    let peak = 0;
    await mapWithConcurrency([1, 2, 3, 4], 1, async () => {
      running++;
      peak = Math.max(peak, running);
      await tick(1);
      running--;
    });
    expect(peak).toBe(1);
  });

  it("calls the task once per input", async () => {
    const seen: number[] = [];
    await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      seen.push(n);
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("returns results in input order when later tasks finish first", async () => {
    const results = await mapWithConcurrency([30, 20, 10, 1], 4, async (ms) => {
      await tick(ms);
      return `done-${ms}`;
    });
    expect(results).toEqual(["done-30", "done-20", "done-10", "done-1"]);
  });

  it("puts a failing task's error in its place and completes the others", async () => {
    const results = await mapWithConcurrency(["a", "bad", "c"], 2, async (input) => {
      if (input === "bad") throw new TypeError("no good");
      return input.toUpperCase();
    });
    expect(results[0]).toBe("A");
    expect(results[1]).toBeInstanceOf(TypeError);
    expect((results[1] as Error).message).toBe("no good");
    expect(results[2]).toBe("C");
  });

  it("wraps a thrown non-Error value into an Error", async () => {
    const [result] = await mapWithConcurrency([1], 1, async () => {
      throw "plain string";
    });
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toBe("plain string");
  });

  it("returns an empty list for no inputs without calling the task", async () => {
    const task = vi.fn(async () => 1);
    expect(await mapWithConcurrency([], 4, task)).toEqual([]);
    expect(task).not.toHaveBeenCalled();
  });

  it("handles a limit larger than the input", async () => {
    expect(await mapWithConcurrency([1, 2], 50, async (n) => n * 10)).toEqual([10, 20]);
  });
});

describe("successes", () => {
  it("keeps the results that are not errors, in order", () => {
    expect(successes([1, new Error("x"), 3, new RangeError("y")])).toEqual([1, 3]);
  });
});

describe("createDeadline", () => {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of disposers.splice(0)) dispose();
    vi.useRealTimers();
  });

  function deadline(ms: number, parent?: AbortSignal) {
    const created = createDeadline(ms, parent);
    disposers.push(created.dispose);
    return created;
  }

  it("is not aborted when created", () => {
    expect(deadline(20).signal.aborted).toBe(false);
  });

  it("aborts its signal after the given time", async () => {
    const { signal } = deadline(20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(signal.aborted).toBe(true);
  });

  it("aborts with a TimeoutError reason", async () => {
    const { signal } = deadline(20);
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    expect((signal.reason as DOMException).name).toBe("TimeoutError");
  });

  it("does not fire after dispose", async () => {
    const created = createDeadline(20);
    created.dispose();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(created.signal.aborted).toBe(false);
  });

  it("leaves no pending timer after dispose", () => {
    vi.useFakeTimers();
    const created = createDeadline(5_000);
    expect(vi.getTimerCount()).toBe(1);
    created.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("fires exactly at its time under fake timers", () => {
    vi.useFakeTimers();
    const { signal } = deadline(1_000);
    vi.advanceTimersByTime(999);
    const before = signal.aborted;
    vi.advanceTimersByTime(1);
    expect([before, signal.aborted]).toEqual([false, true]);
  });

  it("aborts as soon as the parent aborts, with the parent's reason", () => {
    const parent = new AbortController();
    const { signal } = deadline(60_000, parent.signal);
    const reason = new Error("client went away");
    parent.abort(reason);
    expect([signal.aborted, signal.reason]).toEqual([true, reason]);
  });

  it("is aborted from the start when the parent already is", () => {
    const parent = new AbortController();
    parent.abort("already");
    const { signal } = deadline(60_000, parent.signal);
    expect([signal.aborted, signal.reason]).toEqual([true, "already"]);
  });

  it("stops following the parent after dispose", () => {
    const parent = new AbortController();
    const created = createDeadline(60_000, parent.signal);
    created.dispose();
    parent.abort();
    expect(created.signal.aborted).toBe(false);
  });
});

describe("nestedDeeperThan", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

  it("lets a body nested exactly to the cap through, and refuses one level more", () => {
    expect(nestedDeeperThan(bytes(nested(64)), 64)).toBe(false);
    expect(nestedDeeperThan(bytes(nested(65)), 64)).toBe(true);
  });

  it("counts objects and arrays alike", () => {
    expect(nestedDeeperThan(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(nestedDeeperThan(bytes('{"a":[{"b":[1]}]}'), 4)).toBe(false);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    expect(nestedDeeperThan(bytes(`["${"[".repeat(100)}", "\\"[[[", "{{{"]`), 1)).toBe(false);
  });

  it("reads multi-byte UTF-8 as string content", () => {
    expect(nestedDeeperThan(bytes('["é[中{", [1]]'), 2)).toBe(false);
  });
});

import { describe, expect, it, vi } from "vitest";
import { createLineWriter } from "../../src/runtime/node/line-writer.js";

describe("the Node entry's log line writer", () => {
  it("writes the lines of one batch window in one write, in order, when the window ends", () => {
    vi.useFakeTimers();
    try {
      const writes: string[] = [];
      const writer = createLineWriter((text) => writes.push(text), { maxDelayMs: 5 });
      writer.line("a");
      vi.advanceTimersByTime(4);
      writer.line("b");
      expect(writes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(writes).toEqual(["a\nb\n"]);
      // The next line opens a window of its own.
      writer.line("c");
      vi.advanceTimersByTime(4);
      expect(writes).toEqual(["a\nb\n"]);
      vi.advanceTimersByTime(1);
      expect(writes).toEqual(["a\nb\n", "c\n"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("writes at once when the buffered lines reach the bound", () => {
    const writes: string[] = [];
    const writer = createLineWriter((text) => writes.push(text), { maxBufferedBytes: 10 });
    writer.line("12345");
    writer.line("67890");
    expect(writes).toEqual(["12345\n67890\n"]);
  });

  it("flushes what is buffered on demand (the process's exit does the same)", () => {
    const writes: string[] = [];
    const writer = createLineWriter((text) => writes.push(text));
    writer.line("last words");
    writer.flush();
    expect(writes).toEqual(["last words\n"]);
  });

  it("writes a batch on its own timer, without another line to push it", async () => {
    const writes: string[] = [];
    const writer = createLineWriter((text) => writes.push(text), { maxDelayMs: 1 });
    writer.line("alone");
    await vi.waitUntil(() => writes.length > 0);
    expect(writes).toEqual(["alone\n"]);
  });
});

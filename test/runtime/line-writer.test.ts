import { describe, expect, it } from "vitest";
import { createLineWriter } from "../../src/runtime/node/line-writer.js";

describe("the Node entry's log line writer", () => {
  it("writes the lines of one turn of the event loop in one write, in order", async () => {
    const writes: string[] = [];
    const writer = createLineWriter((text) => writes.push(text));
    writer.line("a");
    writer.line("b");
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(["a\nb\n"]);
  });

  it("writes at once when the buffered lines reach the bound", () => {
    const writes: string[] = [];
    const writer = createLineWriter((text) => writes.push(text), 10);
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
});

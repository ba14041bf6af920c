import { appendFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { createDirScanner } from "../../src/sources/local/dir-scanner.js";
import { createMessageLogCache } from "../../src/sources/local/message-log-cache.js";
import { tempTree } from "../support/home-fixture.js";
import { recordingFs } from "./recording-fs.js";
import { type MessageModel, messageLine } from "./viben-format.js";

// How one messages.ui.jsonl is read and cached: tail, appended bytes, unterminated lines.

const text = (minute: number): MessageModel => ({
  senderType: "agent",
  type: "text",
  timestamp: `2026-04-01T00:${String(minute).padStart(2, "0")}:00Z`,
});
const lines = (...minutes: number[]) => minutes.map((m) => messageLine(text(m), m)).join("");
const at = (minute: number) => Date.parse(text(minute).timestamp as string);

function logReader(maxBytes = 64 * 1024) {
  const tree = tempTree();
  const path = tree.write("log.jsonl", "");
  const recording = recordingFs();
  const scanner = createDirScanner(recording.fs, systemClock);
  const logs = createMessageLogCache(recording.fs);
  const limits = { maxFilesPerScan: 1000, maxBytesPerFile: maxBytes, fileRefreshMs: 0 };
  const read = async () => {
    recording.reset();
    const scan = scanner.scan(limits);
    const summary = await logs.read(scan, path, tree.root, maxBytes);
    const ranges = recording.calls.filter((call) => call.method === "readRange");
    return { summary, starts: ranges.map((call) => call.start) };
  };
  return { path, read };
}

describe("message logs", () => {
  it("are not read again while their size and modification time are unchanged", async () => {
    const log = logReader();
    writeFileSync(log.path, lines(1, 2));
    expect((await log.read()).starts).toEqual([0]);
    const again = await log.read();
    expect(again.starts).toEqual([]);
    expect(again.summary?.counted).toEqual([at(1), at(2)]);
  });

  it("are read only from where they ended when they grow", async () => {
    const log = logReader();
    const first = lines(1, 2, 3);
    writeFileSync(log.path, first);
    await log.read();
    appendFileSync(log.path, lines(4, 5));
    const grown = await log.read();
    // One byte before the old end: the newline that proves the file continues where it ended.
    expect(grown.starts).toEqual([Buffer.byteLength(first) - 1]);
    expect(grown.summary).toEqual({
      counted: [at(1), at(2), at(3), at(4), at(5)],
      newestMs: at(5),
      fromTail: false,
    });
  });

  it("count an unterminated last line once, also after the rest of it is written", async () => {
    const log = logReader();
    const third = messageLine(text(3), 3);
    writeFileSync(log.path, lines(1, 2) + third.slice(0, -1)); // complete JSON, no newline yet
    expect((await log.read()).summary?.counted).toEqual([at(1), at(2), at(3)]);
    appendFileSync(log.path, `\n${lines(4)}`);
    expect((await log.read()).summary?.counted).toEqual([at(1), at(2), at(3), at(4)]);
  });

  it("are read afresh when rewritten shorter", async () => {
    const log = logReader();
    writeFileSync(log.path, lines(1, 2, 3));
    await log.read();
    writeFileSync(log.path, lines(7));
    const rewritten = await log.read();
    expect(rewritten.starts).toEqual([0]);
    expect(rewritten.summary?.counted).toEqual([at(7)]);
  });

  it("are read afresh from their tail once they grow past maxBytesPerFile", async () => {
    const one = Buffer.byteLength(lines(1));
    const log = logReader(one * 3 + 10);
    writeFileSync(log.path, lines(1, 2));
    await log.read();
    appendFileSync(log.path, lines(3, 4));
    const grown = await log.read();
    const size = Buffer.byteLength(lines(1, 2, 3, 4));
    expect(grown.starts).toEqual([size - (one * 3 + 10)]);
    // The first line in the tail is partial and dropped; three whole ones are counted.
    expect(grown.summary).toEqual({
      counted: [at(2), at(3), at(4)],
      newestMs: at(4),
      fromTail: true,
    });
  });

  it("count a line that begins exactly where the tail does, and drop one the bound cuts", async () => {
    const one = Buffer.byteLength(lines(1));
    const exact = logReader(3 * one + 1); // the byte before line 2 (a newline), then lines 2-4
    writeFileSync(exact.path, lines(1, 2, 3, 4));
    expect((await exact.read()).summary?.counted).toEqual([at(2), at(3), at(4)]);
    const cut = logReader(3 * one); // line 2 without its first byte, then lines 3-4
    writeFileSync(cut.path, lines(1, 2, 3, 4));
    expect((await cut.read()).summary?.counted).toEqual([at(3), at(4)]);
  });

  it("skip a line that is not a JSON message without failing the log", async () => {
    const log = logReader();
    writeFileSync(log.path, `${lines(1)}not json\n[1,2]\n{"senderType":"agent"}\n${lines(2)}`);
    expect((await log.read()).summary?.counted).toEqual([at(1), at(2)]);
  });
});

import { LRUCache } from "lru-cache";
import type { Scan } from "./dir-scanner.js";
import type { LocalFs } from "./local-fs.js";
import { emptyPart, joinParts, type LogPart, readLines } from "./message-log.js";

const NEWLINE = 10;

/** What a message log contributes to its chat, as of the last time it was read. */
export interface LogSummary extends LogPart {
  /** True when the log was longer than the bound and only its tail was counted. */
  fromTail: boolean;
}

interface CachedLog {
  size: number;
  mtimeMs: number;
  /** Where counting began: 0, or where a tail read began. */
  start: number;
  /** Just past the last complete line read; appended bytes are read from here. */
  end: number;
  /** The complete lines between `start` and `end`. */
  done: LogPart;
  /** `done` plus the unterminated last line, as callers get it. */
  summary: LogSummary;
}

/**
 * Message logs summarized and cached by path. A log is read at most `maxBytes` at a time:
 *   - unchanged (same size and modification time): not read at all;
 *   - grown, with what was counted plus what was appended still within `maxBytes`: only the
 *     appended bytes are read (Viben appends one line per message);
 *   - otherwise (new, rewritten, shrunk, or grown past the bound): its last `maxBytes` are
 *     read afresh, a first line cut off by the bound dropped.
 * So a summary never covers more than `maxBytes` of a log, and its memory stays bounded.
 * Reads go through the scan's root confinement and are counted in its counters.
 */
export function createMessageLogCache(fs: LocalFs, maxBytes = 8 * 1024 * 1024) {
  // A log's summary is a few numbers; its key is a path of up to 4096 characters.
  const logs = new LRUCache<string, CachedLog>({
    maxSize: maxBytes,
    sizeCalculation: (_log, path) => 512 + path.length * 2,
  });

  async function read(
    scan: Scan,
    path: string,
    rootReal: string,
    maxBytes: number,
  ): Promise<LogSummary | null> {
    const info = await scan.fileInfo(path, rootReal);
    if (info === null) {
      logs.delete(path);
      return null;
    }
    const cached = logs.get(path);
    if (cached !== undefined && cached.size === info.size && cached.mtimeMs === info.mtimeMs) {
      scan.counters.filesReused++;
      return cached.summary;
    }
    const next =
      cached !== undefined && info.size > cached.size && info.size - cached.start <= maxBytes
        ? await appended(path, cached, info.size)
        : null;
    const entry = next ?? (await fromTail(path, info.size, maxBytes));
    if (entry === null) return null;
    scan.counters.filesRead++;
    logs.set(path, { ...entry, mtimeMs: info.mtimeMs });
    return entry.summary;
  }

  /** The cached entry extended by the bytes appended since; null when the file turns out not
   * to continue where it ended (then it is read afresh). */
  async function appended(path: string, cached: CachedLog, size: number) {
    // One byte before the resume point must be the newline that ended the last complete line.
    const from = cached.end > 0 ? cached.end - 1 : 0;
    const bytes = await fs.readRange(path, from, size - from);
    if (bytes === null) return null;
    if (cached.end > 0 && bytes[0] !== NEWLINE) return null;
    const done: LogPart = { counted: [...cached.done.counted], newestMs: cached.done.newestMs };
    const lines = readLines(cached.end > 0 ? bytes.subarray(1) : bytes, done, false);
    return entryOf(cached.start, cached.end + lines.end, from + bytes.length, done, lines.rest, {
      fromTail: cached.summary.fromTail,
    });
  }

  async function fromTail(path: string, size: number, maxBytes: number) {
    const from = Math.max(0, size - maxBytes);
    const bytes = await fs.readRange(path, from, size - from);
    if (bytes === null) return null;
    const done = emptyPart();
    if (from === 0) {
      const lines = readLines(bytes, done, false);
      return entryOf(0, lines.end, bytes.length, done, lines.rest, { fromTail: false });
    }
    // Mid-file, the first byte read is only looked at: when it is a newline, the line after it
    // is whole and counted; otherwise that line was cut off and is dropped.
    const start = from + 1;
    const lines = readLines(bytes.subarray(1), done, bytes[0] !== NEWLINE);
    return entryOf(start, start + lines.end, from + bytes.length, done, lines.rest, {
      fromTail: true,
    });
  }

  function entryOf(
    start: number,
    end: number,
    size: number,
    done: LogPart,
    rest: LogPart,
    flags: { fromTail: boolean },
  ): Omit<CachedLog, "mtimeMs"> {
    // The size is what was actually read: a file that shrank meanwhile differs next time.
    return {
      size,
      start,
      end,
      done,
      summary: { ...joinParts(done, rest), ...flags },
    };
  }

  return { read };
}

export type MessageLogCache = ReturnType<typeof createMessageLogCache>;

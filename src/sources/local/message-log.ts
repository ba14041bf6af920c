import { toEpochMs } from "../../core/timestamps.js";

/*
 * A group chat session's `messages.ui.jsonl`: one JSON object a line, `{id, senderId,
 * senderType, senderName, type, content?, timestamp}`. Only what dates the chat and counts its
 * unread messages is kept from it — never the content.
 */

/** What one stretch of complete lines of a log holds. */
export interface LogPart {
  /** Times (epoch ms) of agent messages of type text or error: the ones unread counts count. */
  counted: number[];
  /** The newest message time of any type, or null. */
  newestMs: number | null;
}

export const emptyPart = (): LogPart => ({ counted: [], newestMs: null });

// Only what an agent says counts as unread: its thinking, tool calls and results, the user's own
// messages, system notices and files never do.
const COUNTED_TYPES = new Set(["text", "error"]);

/** Adds one line's message to `part`; a line that is not a message JSON object is skipped. */
function addLine(part: LogPart, line: string): void {
  if (line.trim() === "") return;
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (typeof message !== "object" || message === null) return;
  const record = message as Record<string, unknown>;
  const at = toEpochMs(record.timestamp);
  if (at === null) return;
  if (part.newestMs === null || at > part.newestMs) part.newestMs = at;
  const sender = record.senderType ?? record.sender_type;
  const type = record.type;
  if (sender === "agent" && typeof type === "string" && COUNTED_TYPES.has(type))
    part.counted.push(at);
}

const decoder = new TextDecoder();
const NEWLINE = 10;

/**
 * Reads the complete lines of `bytes` into `into` and returns where they end (the offset just
 * past the last newline; 0 when there is none) and the unterminated rest, parsed on its own:
 * Viben may still be writing it, so it is counted now but read again with what follows.
 * With `skipFirst`, the bytes start mid-file and their first line (likely partial) is dropped.
 */
export function readLines(
  bytes: Uint8Array,
  into: LogPart,
  skipFirst: boolean,
): { end: number; rest: LogPart } {
  let from = 0;
  if (skipFirst) {
    const first = bytes.indexOf(NEWLINE);
    from = first === -1 ? bytes.length : first + 1;
  }
  const last = bytes.lastIndexOf(NEWLINE);
  const end = last < from ? from : last + 1;
  if (end > from)
    for (const line of decoder.decode(bytes.subarray(from, end - 1)).split("\n"))
      addLine(into, line);
  const rest = emptyPart();
  if (end < bytes.length) addLine(rest, decoder.decode(bytes.subarray(end)));
  return { end, rest };
}

/** Two parts as one, without changing either (the cached part must stay as it was). */
export function joinParts(a: LogPart, b: LogPart): LogPart {
  return {
    counted: b.counted.length === 0 ? a.counted : [...a.counted, ...b.counted],
    newestMs:
      a.newestMs === null || (b.newestMs !== null && b.newestMs > a.newestMs)
        ? b.newestMs
        : a.newestMs,
  };
}

import { isoEpochMs } from "../core/timestamps.js";
import { comparePositions } from "../core/unread.js";
import type { Position } from "./read-marker-store.js";

// Each part of a stream id is checked as a safe integer after matching; 16 digits bound the work.
const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

/**
 * The position a client names: a message id `<ms>-<seq>` (a Redis stream id; each part a
 * non-negative safe integer), or an ISO-8601 timestamp (seq 0). Anything else is null, including
 * bare numbers: `up_to: "1710000000000"` is ambiguous between seconds, milliseconds and an id.
 */
export function parsePosition(text: string): Position | null {
  const trimmed = text.trim();
  const stream = STREAM_ID.exec(trimmed);
  if (stream !== null) {
    const ms = Number(stream[1]);
    const seq = Number(stream[2]);
    return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) ? { ms, seq } : null;
  }
  const ms = isoEpochMs(trimmed);
  return ms === null ? null : { ms, seq: 0 };
}

/** Positions are compared as two integers, ms then seq (see core/unread.ts). */
export { comparePositions };

/** The later of two positions (a when they are equal). */
export function maxPosition(a: Position, b: Position): Position {
  return comparePositions(a, b) >= 0 ? a : b;
}

/** The `<ms>-<seq>` form, which `parsePosition` reads back. */
export function formatPosition(position: Position): string {
  return `${position.ms}-${position.seq}`;
}

/**
 * Upstream timestamps arrive as ISO-8601 strings, epoch milliseconds, epoch seconds, or Redis
 * stream ids ("<ms>-<seq>"). These helpers turn any of them into epoch milliseconds, and
 * milliseconds into the one ISO form the gateway emits (so string order is time order).
 */

// Below this a number is taken as seconds: 1e11 ms is 1973, 1e11 s is the year 5138.
const SECONDS_CUTOFF = 1e11;
// Accept years 1970..9999 only; anything else is a malformed value, not a date.
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const STREAM_ID = /^(\d{1,16})-\d{1,20}$/;
const NUMERIC = /^\d{1,16}(\.\d+)?$/;
// ISO-8601 date-time with an explicit zone, or a bare date. Date.parse alone is too lenient.
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Whether the date part names a real day: Date.parse turns February 30 into March 1. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function inRange(ms: number): number | null {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_MS ? Math.floor(ms) : null;
}

function fromNumber(value: number): number | null {
  return inRange(value < SECONDS_CUTOFF ? value * 1000 : value);
}

/** Epoch milliseconds of any tolerated timestamp form, or null when it is not one. */
export function toEpochMs(value: unknown): number | null {
  if (typeof value === "number") return fromNumber(value);
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (text === "") return null;
  const stream = STREAM_ID.exec(text);
  if (stream?.[1] !== undefined) return inRange(Number(stream[1]));
  if (NUMERIC.test(text)) return fromNumber(Number(text));
  return isoEpochMs(text);
}

/** Epoch milliseconds of an ISO-8601 date-time or date (trimmed text), or null: no numbers, no
 * stream ids. A date-time without a zone is UTC. */
export function isoEpochMs(text: string): number | null {
  if (!ISO.test(text)) return null;
  if (!isCalendarDate(text)) return null;
  // A date-time without a zone is read as UTC, not as the gateway's local time.
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) || !text.includes(":");
  return inRange(Date.parse(hasZone ? text : `${text}Z`));
}

/** Epoch milliseconds of a Redis stream id such as "1710000000000-0", or null. */
export function streamIdMs(id: unknown): number | null {
  if (typeof id !== "string") return null;
  const match = STREAM_ID.exec(id);
  return match?.[1] === undefined ? null : inRange(Number(match[1]));
}

/** The canonical ISO-8601 UTC form, or null. */
export function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The greatest of the given epoch-ms values, ignoring nulls; null when there are none. */
export function newest(values: Iterable<number | null>): number | null {
  let best: number | null = null;
  for (const value of values) if (value !== null && (best === null || value > best)) best = value;
  return best;
}

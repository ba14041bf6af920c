import { comparePositions } from "./positions.js";
import {
  type IdentityEntries,
  InvalidMarkerInputError,
  MARKER_LIMITS,
  type MarkerEntry,
  type Position,
} from "./read-marker-store.js";

// A lone surrogate would be re-encoded as U+FFFD on its way into SQLite or PostgreSQL, so two
// different ids could land on one row; NUL is refused by PostgreSQL's text type.
const LONE_SURROGATE = /\p{Cs}/u;

function checkKey(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== "string" || value === "")
    throw new InvalidMarkerInputError(`${what} must be a non-empty string`);
  if (value.length > maxLength)
    throw new InvalidMarkerInputError(`${what} is longer than ${maxLength} characters`);
  if (value.includes("\u0000") || LONE_SURROGATE.test(value))
    throw new InvalidMarkerInputError(`${what} contains NUL or a lone surrogate`);
  return value;
}

function checkPart(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidMarkerInputError(`${what} must be a non-negative safe integer`);
  return value;
}

function checkCount(list: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(list)) throw new InvalidMarkerInputError(`${what} must be an array`);
  if (list.length > MARKER_LIMITS.maxItemsPerCall)
    throw new InvalidMarkerInputError(
      `more than ${MARKER_LIMITS.maxItemsPerCall} ${what} in one call`,
    );
  return list;
}

export function checkIdentity(identity: unknown): string {
  return checkKey(identity, "identity", MARKER_LIMITS.maxIdentityLength);
}

export function checkItemId(itemId: unknown): string {
  return checkKey(itemId, "item id", MARKER_LIMITS.maxItemIdLength);
}

/** A copy of the position, or InvalidMarkerInputError. */
export function checkPosition(position: unknown): Position {
  if (typeof position !== "object" || position === null)
    throw new InvalidMarkerInputError("position must be an object {ms, seq}");
  const { ms, seq } = position as Record<string, unknown>;
  return { ms: checkPart(ms, "position.ms"), seq: checkPart(seq, "position.seq") };
}

/** The distinct item ids of a `read` call, checked. */
export function checkItemIds(itemIds: unknown): string[] {
  return [...new Set(checkCount(itemIds, "item ids").map(checkItemId))];
}

/** Checks every entry before anything is written (a batch is all or nothing) and collapses
 * repeated item ids to their greatest position, so one call touches each row once. */
export function checkEntries(entries: unknown): Map<string, Position> {
  const byItem = new Map<string, Position>();
  for (const entry of checkCount(entries, "entries")) {
    if (typeof entry !== "object" || entry === null)
      throw new InvalidMarkerInputError("entry must be an object {itemId, position}");
    const { itemId, position } = entry as Partial<MarkerEntry>;
    const id = checkItemId(itemId);
    const checked = checkPosition(position);
    const seen = byItem.get(id);
    if (seen === undefined || comparePositions(seen, checked) < 0) byItem.set(id, checked);
  }
  return byItem;
}

/** One identity's batch of an advance, checked (see checkEntries). */
export interface CheckedBatch {
  identity: string;
  wanted: Map<string, Position>;
}

export function checkBatch(batch: IdentityEntries): CheckedBatch {
  return { identity: checkIdentity(batch.identity), wanted: checkEntries(batch.entries) };
}

import { formatPosition, parsePosition } from "./positions.js";
import type { MarkerEntry, Position } from "./read-marker-store.js";

/** A position from its `<ms>-<seq>` text, so cases read like the positions clients send. */
export function at(text: string): Position {
  const position = parsePosition(text);
  if (position === null) throw new Error(`not a position: ${text}`);
  return position;
}

export function entry(itemId: string, position: string): MarkerEntry {
  return { itemId, position: at(position) };
}

/** Markers as `{ itemId: "<ms>-<seq>" }`, the form the cases compare. */
export function shown(markers: Map<string, Position>): Record<string, string> {
  return Object.fromEntries([...markers].map(([itemId, p]) => [itemId, formatPosition(p)]));
}

/** A small deterministic generator, so a failing random case fails the same way again. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random positions whose ms parts have from 1 to 13 digits and whose seqs have 1 to 3, so any
 * string comparison of `<ms>-<seq>` would pick a wrong maximum. */
export function randomPositions(count: number, seed: number): Position[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({
    ms: Math.floor(random() * 10 ** (1 + Math.floor(random() * 13))),
    seq: Math.floor(random() * 10 ** (1 + Math.floor(random() * 3))),
  }));
}

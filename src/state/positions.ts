// Placeholder (the state branch brings the real module).
import { toEpochMs } from "../core/timestamps.js";
import type { Position } from "./read-marker-store.js";

export function parsePosition(text: string): Position | null {
  const match = /^(\d{1,16})-(\d{1,20})$/.exec(text.trim());
  if (match !== null) {
    const ms = Number(match[1]);
    const seq = Number(match[2]);
    return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) ? { ms, seq } : null;
  }
  if (/^\d+$/.test(text.trim())) return null;
  const ms = toEpochMs(text);
  return ms === null ? null : { ms, seq: 0 };
}

export function formatPosition(position: Position): string {
  return `${position.ms}-${position.seq}`;
}

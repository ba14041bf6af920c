import { ERROR_CODES } from "../http/problem.js";

// Every label value a metric carries comes from a closed set, so a scrape's size is bounded by
// the configuration (routes, source names), never by what callers send: no workspace path, no
// user, no id, no raw URL ever becomes a label.

/** The route label of a request that matched no route (a 404 before any handler). */
export const UNMATCHED_ROUTE = "unmatched";

export const METHOD_LABELS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "other",
] as const;
export type MethodLabel = (typeof METHOD_LABELS)[number];

/** What the gateway answers: its successes, every status of the problem catalogue, and the
 * common ones a fronted backend answers through the pass-through (DESIGN §12). */
export const STATUS_LABELS = [
  ...new Set([
    "200",
    "201",
    "202",
    "204",
    "206",
    "301",
    "302",
    "303",
    "304",
    "307",
    "308",
    "400",
    "403",
    "404",
    "405",
    "409",
    "410",
    "422",
    "500",
    "501",
    "503",
    ...Object.values(ERROR_CODES).map((e) => String(e.status)),
  ]),
  "other",
] as const;

const KNOWN_METHODS = new Set<string>(METHOD_LABELS);
const KNOWN_STATUSES = new Set<string>(STATUS_LABELS);

export function methodLabel(method: string): MethodLabel {
  return KNOWN_METHODS.has(method) ? (method as MethodLabel) : "other";
}

export function statusLabel(status: number): string {
  const text = String(status);
  return KNOWN_STATUSES.has(text) ? text : "other";
}

/** How the per-source cache answered one lookup (DESIGN §3): a fresh entry (hit), none usable
 * so the request waited for the upstream (miss), an expired entry served while it refreshes
 * (revalidating), or an entry served because refreshing failed (stale). */
export const CACHE_LOOKUPS = ["hit", "miss", "revalidating", "stale"] as const;
export type CacheLookup = (typeof CACHE_LOOKUPS)[number];

/** How one upstream load of a source ended. */
export const LOAD_OUTCOMES = ["ok", "error", "timeout", "unauthorized"] as const;
export type LoadOutcome = (typeof LOAD_OUTCOMES)[number];

/** Read-marker writes: a mark (POST /read, or the caller's own message), or a first sight. */
export const MARKER_WRITES = ["advance", "first_sight"] as const;
export type MarkerWrite = (typeof MARKER_WRITES)[number];

/** The writes through the gateway (DESIGN §13). */
export const WRITE_KINDS = ["create_chat", "send_message"] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

/** How a write ended: created (201), replayed (an Idempotency-Key's stored answer), or the
 * problem it was answered with, by its code. */
export const WRITE_OUTCOMES = ["created", "replayed", ...Object.keys(ERROR_CODES)] as const;
export type WriteOutcome = "created" | "replayed" | keyof typeof ERROR_CODES;

import type { UpstreamAnswer } from "../../upstream/http-client.js";

/**
 * Why the portal did not do a write (seeds 002, 003), as one closed set. `detail` is the
 * portal's own explanation when it gave one as a short string, and null otherwise.
 */
export type PortalRefusal =
  | { kind: "unauthorized"; detail: string | null }
  | { kind: "banned"; detail: string | null }
  /** `ttl`: seconds of mute left, 0 = indefinite; null when the portal did not say. */
  | { kind: "muted"; detail: string | null; ttl: number | null }
  | { kind: "epoch_mismatch"; detail: string | null }
  | { kind: "no_room_key"; detail: string | null }
  /** Any other 403: no premium subscription, no chat slot left, not a member... */
  | { kind: "forbidden"; detail: string | null }
  | { kind: "not_found"; detail: string | null }
  | { kind: "conflict"; detail: string | null }
  | { kind: "invalid_content"; detail: string | null }
  /** The portal's 429, or its Retry-After still holding calls back. */
  | { kind: "rate_limited"; detail: string | null; retryAfterMs: number | null }
  /** A 5xx, another unexpected status, or an answer that is not what the seeds describe. */
  | { kind: "unavailable"; detail: string | null; status: number | null }
  /** No answer within the source's timeout: the write may have happened all the same. */
  | { kind: "timeout"; detail: null };

export type PortalRefusalKind = PortalRefusal["kind"];

const MAX_DETAIL_CHARS = 500;

// The 403 reasons, most specific first. The portal's documentation names two error codes; its
// other refusals are known only by their wording, so both are read (case-insensitively).
const FORBIDDEN_REASONS: Array<["epoch_mismatch" | "no_room_key" | "muted" | "banned", RegExp]> = [
  ["epoch_mismatch", /ERR_EPOCH_MISMATCH|epoch\b.{0,60}\b(mismatch|does not match|rotated)/i],
  ["no_room_key", /ERR_NO_ROOM_KEY|no[ _]room[ _]key|not received the (chat|room) key/i],
  ["muted", /ERR_MUTED|\bmuted\b/i],
  ["banned", /ERR_BANNED|\bbanned\b/i],
];

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;

/** Every short text of an error body that may name its reason: `detail` (a string, or an object
 * with `code`/`message`/`error`), and the same fields at the top level. */
function reasonTexts(body: unknown): string[] {
  const top = asRecord(body);
  if (top === null) return typeof body === "string" ? [body] : [];
  const detail = asRecord(top.detail);
  const candidates = [
    top.detail,
    top.code,
    top.error,
    top.error_code,
    top.message,
    detail?.code,
    detail?.error,
    detail?.message,
    detail?.msg,
  ];
  return candidates.filter((text): text is string => typeof text === "string");
}

/** The portal's own explanation, when it is a short string that does not repeat `secret` (the
 * message's content: a portal that echoes what it refused must not make the gateway echo it). */
function detailOf(body: unknown, secret: string | undefined): string | null {
  const top = asRecord(body);
  const detail = top?.detail;
  const text =
    typeof detail === "string"
      ? detail
      : typeof asRecord(detail)?.message === "string"
        ? (asRecord(detail)?.message as string)
        : null;
  if (text === null || text.trim() === "" || text.length > MAX_DETAIL_CHARS) return null;
  if (secret !== undefined && secret !== "" && text.includes(secret)) return null;
  // A fragment of the content (its ciphertext) is as bad as the whole.
  if (secret !== undefined && /[A-Za-z0-9+/=_-]{24,}/.test(text)) {
    for (const run of text.match(/[A-Za-z0-9+/=_-]{24,}/g) ?? [])
      if (secret.includes(run)) return null;
  }
  return text;
}

/** Seconds of mute left, from `ttl` at the top or in `detail`. */
function ttlOf(body: unknown): number | null {
  const top = asRecord(body);
  for (const value of [top?.ttl, asRecord(top?.detail)?.ttl]) {
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) return Math.floor(value);
    if (typeof value === "string" && /^\d{1,10}$/.test(value)) return Number(value);
  }
  return null;
}

/**
 * What a portal answer that is not a 2xx means for a write. `secret` is the content the write
 * carried, never repeated in a detail. Unknown shapes are tolerated: an unreadable 403 is
 * `forbidden`, an unreadable 5xx `unavailable`.
 */
export function classifyRefusal(answer: UpstreamAnswer, secret?: string): PortalRefusal {
  const detail = detailOf(answer.body, secret);
  switch (answer.status) {
    case 401:
      return { kind: "unauthorized", detail };
    case 403: {
      const texts = reasonTexts(answer.body).join("\n");
      for (const [kind, pattern] of FORBIDDEN_REASONS) {
        if (!pattern.test(texts)) continue;
        return kind === "muted" ? { kind, detail, ttl: ttlOf(answer.body) } : { kind, detail };
      }
      // A mute is also known by its ttl alone.
      const ttl = ttlOf(answer.body);
      if (ttl !== null) return { kind: "muted", detail, ttl };
      return { kind: "forbidden", detail };
    }
    case 404:
      return { kind: "not_found", detail };
    case 409:
      return { kind: "conflict", detail };
    case 422:
      return { kind: "invalid_content", detail };
    case 429:
      return { kind: "rate_limited", detail, retryAfterMs: answer.retryAfterMs ?? null };
    default:
      return { kind: "unavailable", detail, status: answer.status };
  }
}

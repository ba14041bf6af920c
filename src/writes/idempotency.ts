import type { Logger } from "../core/logger.js";
import { StoreUnavailableError } from "../state/read-marker-store.js";
import { type StoredAnswer, WRITE_LIMITS, type WriteStore } from "../state/write-store.js";

/** What the idempotency step decided before any upstream call. */
export type IdempotencyCheck =
  /** No key: the write is made, and never retried by the gateway. */
  | { kind: "none" }
  /** The key is this request's now: settle it with its answer. */
  | { kind: "claimed"; settle(answer: StoredAnswer, keep: boolean): Promise<void> }
  /** The key has an answer: send it again, and call no upstream. */
  | { kind: "replay"; answer: StoredAnswer }
  | { kind: "in_progress" }
  | { kind: "reused" }
  /** The state store cannot be reached: with a key, the write is not made (it could not be
   * answered again). */
  | { kind: "unavailable"; reason: string };

/** Canonical JSON (keys sorted), so two equal bodies have one fingerprint however written. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/** The fingerprint of a write: which write, to what, with what body (a hash: never the body). */
export function fingerprintOf(sha256Hex: (text: string) => string, request: unknown): string {
  return sha256Hex(canonical(request));
}

export interface IdempotencyOptions {
  store: WriteStore;
  logger: Logger;
  /** How long an unanswered claim holds its key (the write's longest run, with a margin). */
  leaseMs: number;
}

/**
 * The idempotency step of a write (Stripe's and Zulip's model): the first complete answer per
 * (identity, key) is kept for 24 h and replayed to any retry — from another device's instance
 * or after a restart — without a second upstream call; the same key while the first is in
 * flight is a 409, and with another body a 422.
 */
export async function checkIdempotency(
  options: IdempotencyOptions,
  identity: string,
  key: string | undefined,
  fingerprint: string,
): Promise<IdempotencyCheck> {
  if (key === undefined) return { kind: "none" };
  const { store, logger } = options;
  let claim: Awaited<ReturnType<WriteStore["claim"]>>;
  try {
    claim = await store.claim(identity, key, fingerprint, {
      leaseMs: options.leaseMs,
      ttlMs: WRITE_LIMITS.answerTtlMs,
    });
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return { kind: "unavailable", reason: error.message };
  }
  switch (claim.state) {
    case "done":
      return { kind: "replay", answer: claim.answer };
    case "in_progress":
      return { kind: "in_progress" };
    case "mismatch":
      return { kind: "reused" };
    case "claimed":
      return {
        kind: "claimed",
        async settle(answer, keep) {
          try {
            if (keep)
              await store.complete(identity, key, fingerprint, answer, WRITE_LIMITS.answerTtlMs);
            else await store.release(identity, key, fingerprint);
          } catch (error) {
            // The write is done; only its replay is lost: the key frees itself when its
            // lease runs out.
            logger.warn({
              event: "idempotency_settle_failed",
              store: store.kind,
              reason: error instanceof Error ? error.message : "unknown",
            });
          }
        },
      };
  }
}

import { InvalidMarkerInputError } from "./read-marker-store.js";
import type { ClaimTimes, StoredAnswer, WriteAnnouncement } from "./write-store.js";
import { WRITE_LIMITS } from "./write-store.js";

// Checked by every backend before anything is stored (the Durable Object again, since any code
// in the Worker can call it), so no backend keeps what another would refuse.

const LONE_SURROGATE = /\p{Cs}/u;

export function checkWriteIdentity(identity: unknown): string {
  if (typeof identity !== "string" || identity === "")
    throw new InvalidMarkerInputError("identity must be a non-empty string");
  if (identity.length > WRITE_LIMITS.maxIdentityLength)
    throw new InvalidMarkerInputError(
      `identity is longer than ${WRITE_LIMITS.maxIdentityLength} characters`,
    );
  if (identity.includes("\u0000") || LONE_SURROGATE.test(identity))
    throw new InvalidMarkerInputError("identity contains NUL or a lone surrogate");
  return identity;
}

export function checkIdempotencyKey(key: unknown): string {
  if (typeof key !== "string" || !WRITE_LIMITS.key.test(key))
    throw new InvalidMarkerInputError(
      "idempotency key must be 1-64 characters of A-Z a-z 0-9 - _ . : ~",
    );
  return key;
}

export function checkFingerprint(fingerprint: unknown): string {
  if (typeof fingerprint !== "string" || !WRITE_LIMITS.fingerprint.test(fingerprint))
    throw new InvalidMarkerInputError("fingerprint must be 16-128 lower-case hex digits");
  return fingerprint;
}

const checkMs = (value: unknown, what: string): number => {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidMarkerInputError(`${what} must be a non-negative safe integer`);
  return value;
};

export function checkTimes(times: unknown): ClaimTimes {
  const { leaseMs, ttlMs } = (times ?? {}) as Partial<ClaimTimes>;
  return { leaseMs: checkMs(leaseMs, "leaseMs"), ttlMs: checkMs(ttlMs, "ttlMs") };
}

export function checkTtl(ttlMs: unknown): number {
  return checkMs(ttlMs, "ttlMs");
}

export function checkAnswer(answer: unknown): StoredAnswer {
  const { status, body } = (answer ?? {}) as Partial<StoredAnswer>;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599)
    throw new InvalidMarkerInputError("answer.status must be an HTTP status");
  if (typeof body !== "string" || body.length > WRITE_LIMITS.maxBodyChars)
    throw new InvalidMarkerInputError(
      `answer.body must be a string of at most ${WRITE_LIMITS.maxBodyChars} characters`,
    );
  return { status, body };
}

export function checkAnnouncement(announcement: unknown): WriteAnnouncement {
  const { identity, effect } = (announcement ?? {}) as Partial<WriteAnnouncement>;
  return { identity: checkWriteIdentity(identity), effect };
}

import type { Claim, ClaimTimes, StoredAnswer } from "./write-store.js";

/** One key's row, as every backend keeps it: pending while `status` is null. */
export interface ClaimRow {
  fingerprint: string;
  status: number | null;
  body: string | null;
  /** Epoch ms: a pending claim may be taken over from then on. */
  leaseUntil: number;
  /** Epoch ms: the row is gone from then on. */
  expiresAt: number;
}

/** A key's row as the SQL backends (SQLite, the Durable Object's storage, PostgreSQL) read it:
 * their column names, and PostgreSQL's bigints as text. */
export type StoredClaimRow = {
  fingerprint: string;
  status: number | string | null;
  body: string | null;
  lease_until: number | string;
  expires_at: number | string;
};

/** A stored row as every backend's rules read it (see ClaimRow). */
export function claimRowFrom(row: StoredClaimRow | undefined): ClaimRow | undefined {
  return row === undefined
    ? undefined
    : {
        fingerprint: row.fingerprint,
        status: row.status === null ? null : Number(row.status),
        body: row.body,
        leaseUntil: Number(row.lease_until),
        expiresAt: Number(row.expires_at),
      };
}

/**
 * The whole idempotency rule, for the backends that read a key's row and write it back in one
 * transaction (memory, sqlite, the Durable Object; PostgreSQL says the same in SQL): what a
 * claim finds, and the row to write when it takes the key.
 */
export function decideClaim(
  row: ClaimRow | undefined,
  fingerprint: string,
  now: number,
  times: ClaimTimes,
): { claim: Claim; write?: ClaimRow } {
  const free =
    row === undefined || row.expiresAt <= now || (row.status === null && row.leaseUntil <= now);
  if (free)
    return {
      claim: { state: "claimed" },
      write: {
        fingerprint,
        status: null,
        body: null,
        leaseUntil: now + times.leaseMs,
        expiresAt: now + Math.max(times.leaseMs, times.ttlMs),
      },
    };
  if (row.fingerprint !== fingerprint) return { claim: { state: "mismatch" } };
  if (row.status === null) return { claim: { state: "in_progress" } };
  return { claim: { state: "done", answer: { status: row.status, body: row.body ?? "" } } };
}

/** The row a completed claim becomes, or undefined when the row is not that claim any more. */
export function completedRow(
  row: ClaimRow | undefined,
  fingerprint: string,
  answer: StoredAnswer,
  now: number,
  ttlMs: number,
): ClaimRow | undefined {
  if (row === undefined || row.fingerprint !== fingerprint || row.status !== null) return undefined;
  return { ...row, status: answer.status, body: answer.body, expiresAt: now + ttlMs };
}

/** Whether a release removes the row: only the fingerprint's own pending claim. */
export function releases(row: ClaimRow | undefined, fingerprint: string): boolean {
  return row !== undefined && row.fingerprint === fingerprint && row.status === null;
}

/**
 * What writes through the gateway (DESIGN §13) keep in the state store, beside read markers:
 * the first complete answer per (identity, Idempotency-Key), and the announcement of a write to
 * the other gateways that serve the same identity. Same backends as the markers (memory,
 * sqlite, postgres under runtime/node, durable_object under runtime/worker); one contract suite
 * (write-store-contract*.ts) runs against each.
 */
import type { ReadMarkerStoreKind } from "./read-marker-store.js";

/** An answer as it was sent: replayed byte for byte to a retry. */
export interface StoredAnswer {
  status: number;
  /** The JSON body, as text. */
  body: string;
}

/** What claiming a key found. */
export type Claim =
  /** The key was free (or its claim had lapsed): the caller owns it now and must complete or
   * release it. */
  | { state: "claimed" }
  /** Another request with the same body holds the key and has not answered yet. */
  | { state: "in_progress" }
  /** The key has an answer: replay it. */
  | { state: "done"; answer: StoredAnswer }
  /** The key was used with another request body (another fingerprint). */
  | { state: "mismatch" };

export interface ClaimTimes {
  /** How long an unanswered claim holds the key: past it (the instance holding it died) another
   * request may take the key over. */
  leaseMs: number;
  /** How long a completed answer is kept. */
  ttlMs: number;
}

/** A write, as announced to the other gateways of its identity: JSON data, never content. */
export interface WriteAnnouncement {
  identity: string;
  /** The effect itself, as the writes layer describes it (checked again by who hears it). */
  effect: unknown;
}

export interface WriteStore {
  readonly kind: ReadMarkerStoreKind;
  /** Whether answers survive a restart (false only for memory). */
  readonly durable: boolean;
  /** Claims `key` for one request of `identity` whose body has `fingerprint`, atomically:
   * of concurrent claims of one key, across instances too, exactly one is "claimed". */
  claim(identity: string, key: string, fingerprint: string, times: ClaimTimes): Promise<Claim>;
  /** Stores the claim's answer, kept `ttlMs` from now. Does nothing when the claim is no longer
   * this fingerprint's pending one (it lapsed and was taken over). */
  complete(
    identity: string,
    key: string,
    fingerprint: string,
    answer: StoredAnswer,
    ttlMs: number,
  ): Promise<void>;
  /** Frees a pending claim without an answer (the write's outcome is not one to replay), so a
   * retry asks again. Does nothing to an answered key or another fingerprint's claim. */
  release(identity: string, key: string, fingerprint: string): Promise<void>;
  /** Tells the other gateways serving `announcement.identity` of a write: on postgres every
   * other instance (NOTIFY), on Workers the identity's Durable Object. Memory and sqlite have
   * no one else to tell (sqlite's other processes see the write after their cache TTL). */
  announce(announcement: WriteAnnouncement): Promise<void>;
  /** Hears what other gateways announced (never this store's own announcements). */
  subscribe(listener: (announcement: WriteAnnouncement) => void): () => void;
  /** Resolves when the backend is reachable; rejects with StoreUnavailableError otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** Input bounds every backend enforces. */
export const WRITE_LIMITS = {
  maxIdentityLength: 600,
  /** Idempotency-Key: 1–64 characters of A–Z a–z 0–9 and `- _ . : ~`. */
  key: /^[A-Za-z0-9_.:~-]{1,64}$/,
  fingerprint: /^[0-9a-f]{16,128}$/,
  /** A stored answer's body, in UTF-16 code units. */
  maxBodyChars: 64 * 1024,
  /** One day: an answer is replayed for 24 h (DESIGN §13). */
  answerTtlMs: 24 * 60 * 60 * 1000,
} as const;

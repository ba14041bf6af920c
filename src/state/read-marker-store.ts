/**
 * Read markers (DESIGN §8): per identity (`portal:42`, `local`) and per item (`gc-42`), shared by
 * all of the identity's devices. A marker is a position `(ms, seq)` and only ever moves forward.
 * This module is the contract every backend implements; the backends are adapters (memory here,
 * sqlite and postgres under runtime/node, the Durable Object under runtime/worker).
 */

/** A message position: a portal stream id `<ms>-<seq>`, or a Viben timestamp (ms, seq 0).
 * Both parts are non-negative safe integers, compared as integers, ms first. */
export interface Position {
  ms: number;
  seq: number;
}

export interface MarkerEntry {
  itemId: string;
  position: Position;
}

/** Some of an identity's markers moved. `itemIds: []` means "any of its items" (a change too
 * large to list, e.g. over PostgreSQL's NOTIFY payload limit). */
export interface MarkerChange {
  identity: string;
  itemIds: string[];
}

export type ReadMarkerStoreKind = "memory" | "sqlite" | "postgres" | "durable_object";

/** What `advance` answers: each entry's marker after the call, and the items whose marker moved. */
export interface AdvanceResult {
  markers: Map<string, Position>;
  changed: string[];
}

/** One identity's part of a write that spans identities (see `advanceAll`). */
export interface IdentityEntries {
  identity: string;
  entries: readonly MarkerEntry[];
}

export interface ReadMarkerStore {
  readonly kind: ReadMarkerStoreKind;
  /** Whether markers survive a restart (false only for memory). */
  readonly durable: boolean;
  /** The identity's markers for these items; items without one are absent from the map. */
  read(identity: string, itemIds: readonly string[]): Promise<Map<string, Position>>;
  /** Moves each marker forward to the given position, never back, atomically and all in one
   * transaction; concurrent advances from several processes end at the maximum. Returns each
   * entry's marker after the call and the item ids whose marker actually moved. */
  advance(identity: string, entries: readonly MarkerEntry[]): Promise<AdvanceResult>;
  /** `advance` for several identities in one transaction: every batch is written, or none is
   * (one `POST /read` may name a portal chat and a local Viben chat: two identities). The
   * results come in the order of `batches`. Absent where one transaction cannot span
   * identities (the Durable Object backend: one object per identity). */
  advanceAll?(batches: readonly IdentityEntries[]): Promise<AdvanceResult[]>;
  /** First sight: stores a marker only for items that have none; returns the markers after.
   * Announces nothing (it makes no change a client can see). */
  setIfAbsent(identity: string, entries: readonly MarkerEntry[]): Promise<Map<string, Position>>;
  /** Hears every marker change this store can know of: its own advances, and on postgres every
   * instance's (LISTEN/NOTIFY, including its own, de-duplicated). Returns an unsubscribe. */
  subscribe(listener: (change: MarkerChange) => void): () => void;
  /** Resolves when the backend is reachable; rejects with StoreUnavailableError otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The backend cannot answer now (down, locked, timed out, closed). Callers degrade: the list
 * answers with unread counts null, `POST /read` answers 503. The backend's error is the cause. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  readonly kind: ReadMarkerStoreKind;
  /** Why, in words safe to show anyone who can reach /readyz: no address, path or credential
   * (the message, for the logs, may hold them). */
  readonly reason: string;

  constructor(
    kind: ReadMarkerStoreKind,
    message: string,
    options?: { cause?: unknown; reason?: string },
  ) {
    super(`${kind} read-marker store unavailable: ${message}`, options);
    this.kind = kind;
    this.reason = options?.reason ?? "unreachable";
  }
}

/** Bad input at the store boundary (a caller's bug or an unchecked request): nothing is written. */
export class InvalidMarkerInputError extends TypeError {
  override readonly name = "InvalidMarkerInputError";
}

/** Input bounds every backend enforces, so no backend stores what another would refuse. */
export const MARKER_LIMITS = {
  maxIdentityLength: 600,
  maxItemIdLength: 600,
  /** Entries (or item ids for `read`) in one call; callers with more split them. */
  maxItemsPerCall: 500,
} as const;

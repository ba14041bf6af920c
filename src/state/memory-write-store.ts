import { LRUCache } from "lru-cache";
import { StoreUnavailableError } from "./read-marker-store.js";
import { type ClaimRow, completedRow, decideClaim, releases } from "./write-claims.js";
import type { WriteStore } from "./write-store.js";
import {
  checkAnnouncement,
  checkAnswer,
  checkFingerprint,
  checkIdempotencyKey,
  checkTimes,
  checkTtl,
  checkWriteIdentity,
} from "./write-store-input.js";

export interface MemoryWriteStoreOptions {
  /** Epoch ms (tests move it). */
  now?: () => number;
  /** Keys remembered at most (least recently used forgotten first). */
  maxKeys?: number;
}

/**
 * Idempotency answers in this process's memory: for tests, and for a gateway that chooses to
 * forget on restart. There is nobody to announce writes to. Runtime-neutral.
 */
export function createMemoryWriteStore(options: MemoryWriteStoreOptions = {}): WriteStore {
  const now = options.now ?? Date.now;
  const rows = new LRUCache<string, ClaimRow>({ max: options.maxKeys ?? 100_000 });
  let closed = false;
  const open = () => {
    if (closed) throw new StoreUnavailableError("memory", "the store is closed");
  };
  const rowKey = (identity: string, key: string) => `${identity}\n${key}`;

  return {
    kind: "memory",
    durable: false,
    async claim(identity, key, fingerprint, times) {
      const id = rowKey(checkWriteIdentity(identity), checkIdempotencyKey(key));
      const print = checkFingerprint(fingerprint);
      const checked = checkTimes(times);
      open();
      const decided = decideClaim(rows.get(id), print, now(), checked);
      if (decided.write !== undefined) rows.set(id, decided.write);
      return decided.claim;
    },
    async complete(identity, key, fingerprint, answer, ttlMs) {
      const id = rowKey(checkWriteIdentity(identity), checkIdempotencyKey(key));
      const print = checkFingerprint(fingerprint);
      const stored = checkAnswer(answer);
      const ttl = checkTtl(ttlMs);
      open();
      const row = completedRow(rows.get(id), print, stored, now(), ttl);
      if (row !== undefined) rows.set(id, row);
    },
    async release(identity, key, fingerprint) {
      const id = rowKey(checkWriteIdentity(identity), checkIdempotencyKey(key));
      const print = checkFingerprint(fingerprint);
      open();
      if (releases(rows.get(id), print)) rows.delete(id);
    },
    async announce(announcement) {
      checkAnnouncement(announcement);
      open();
    },
    subscribe: () => () => {},
    async check() {
      open();
    },
    async close() {
      closed = true;
    },
  };
}

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { StoreUnavailableError } from "../../state/read-marker-store.js";
import {
  claimRowFrom,
  completedRow,
  decideClaim,
  releases,
  type StoredClaimRow,
} from "../../state/write-claims.js";
import type { WriteStore } from "../../state/write-store.js";
import {
  checkAnnouncement,
  checkAnswer,
  checkFingerprint,
  checkIdempotencyKey,
  checkTimes,
  checkTtl,
  checkWriteIdentity,
} from "../../state/write-store-input.js";
import {
  loadSqlite,
  preparePrivateFiles,
  sqliteFailureReason,
  whileLocked,
} from "./sqlite-file.js";

export interface SqliteWriteStoreOptions {
  /** The database file (the read markers' file: the table sits beside theirs). */
  path: string;
  /** As for the read markers: a lock another process holds is waited for between attempts,
   * off the event loop, for up to `lockWaitMs`, never inside SQLite (0 by default). */
  busyTimeoutMs?: number;
  lockWaitMs?: number;
  now?: () => number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS idempotency_keys (
    identity TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    lease_until INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (identity, key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at)`;

const READ = `SELECT fingerprint, status, body, lease_until, expires_at FROM idempotency_keys
  WHERE identity = ? AND key = ?`;
const WRITE = `INSERT OR REPLACE INTO idempotency_keys
  (identity, key, fingerprint, status, body, lease_until, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`;
const DELETE = "DELETE FROM idempotency_keys WHERE identity = ? AND key = ?";
const SWEEP = "DELETE FROM idempotency_keys WHERE expires_at <= ?";
const SWEEP_EVERY_MS = 60_000;

interface Opened {
  db: DatabaseSync;
  read: StatementSync;
  write: StatementSync;
  remove: StatementSync;
  sweep: StatementSync;
}

/**
 * Idempotency answers in the SQLite file that holds the read markers (node:sqlite, WAL), on a
 * connection of their own: they survive a restart, and processes sharing the file share them.
 * Every call is one BEGIN IMMEDIATE transaction, so concurrent claims serialize; a lock another
 * process holds is waited for as the read markers wait for it (see sqlite-read-markers.ts).
 * Expired rows are swept at most once a minute, in a claim's transaction. Nobody else to
 * announce to.
 */
export function createSqliteWriteStore(options: SqliteWriteStoreOptions): WriteStore {
  const now = options.now ?? Date.now;
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 0));
  const lockWaitMs = options.lockWaitMs ?? 2000;
  let opened: Opened | undefined;
  let closed = false;
  let sweptAt = Number.NEGATIVE_INFINITY;

  function open(): Opened {
    preparePrivateFiles(options.path);
    const db = new (loadSqlite().DatabaseSync)(options.path);
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec(SCHEMA);
      return {
        db,
        read: db.prepare(READ),
        write: db.prepare(WRITE),
        remove: db.prepare(DELETE),
        sweep: db.prepare(SWEEP),
      };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Runs `work` in one immediate transaction; any database failure is StoreUnavailableError. */
  function once<T>(work: (s: Opened) => T): T {
    if (closed)
      throw new StoreUnavailableError("sqlite", "the store is closed", { reason: "closed" });
    try {
      opened ??= open();
      const s = opened;
      s.db.exec("BEGIN IMMEDIATE");
      try {
        const result = work(s);
        s.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (s.db.isTransaction) s.db.exec("ROLLBACK");
        throw error;
      }
    } catch (error) {
      throw new StoreUnavailableError("sqlite", String(error), {
        cause: error,
        reason: sqliteFailureReason(error),
      });
    }
  }

  /** `once`, attempted again while another process holds the lock, after pauses that leave the
   * event loop free (1, 2, 4 ... 50 ms), for up to lockWaitMs. */
  function transaction<T>(work: (s: Opened) => T): Promise<T> {
    return whileLocked(() => once(work), lockWaitMs);
  }

  const readRow = (s: Opened, identity: string, key: string) =>
    claimRowFrom(s.read.get(identity, key) as StoredClaimRow | undefined);

  return {
    kind: "sqlite",
    durable: true,
    async claim(identity, key, fingerprint, times) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const checked = checkTimes(times);
      const at = now();
      return await transaction((s) => {
        if (at - sweptAt >= SWEEP_EVERY_MS) {
          s.sweep.run(at);
          sweptAt = at;
        }
        const decided = decideClaim(readRow(s, id, k), print, at, checked);
        const row = decided.write;
        if (row !== undefined)
          s.write.run(id, k, row.fingerprint, null, null, row.leaseUntil, row.expiresAt);
        return decided.claim;
      });
    },
    async complete(identity, key, fingerprint, answer, ttlMs) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const stored = checkAnswer(answer);
      const ttl = checkTtl(ttlMs);
      const at = now();
      await transaction((s) => {
        const row = completedRow(readRow(s, id, k), print, stored, at, ttl);
        if (row !== undefined)
          s.write.run(id, k, row.fingerprint, row.status, row.body, row.leaseUntil, row.expiresAt);
      });
    },
    async release(identity, key, fingerprint) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      await transaction((s) => {
        if (releases(readRow(s, id, k), print)) s.remove.run(id, k);
      });
    },
    async announce(announcement) {
      checkAnnouncement(announcement);
      if (closed)
        throw new StoreUnavailableError("sqlite", "the store is closed", { reason: "closed" });
    },
    subscribe: () => () => {},
    async check() {
      await transaction((s) => s.read.get("", ""));
    },
    async close() {
      closed = true;
      const s = opened;
      opened = undefined;
      s?.db.close();
    },
  };
}

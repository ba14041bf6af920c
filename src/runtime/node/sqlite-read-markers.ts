import { isAbsolute, join } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { createChangeHub } from "../../state/change-hub.js";
import {
  type CheckedBatch,
  checkBatch,
  checkEntries,
  checkIdentity,
  checkItemIds,
} from "../../state/marker-input.js";
import {
  type AdvanceResult,
  type Position,
  type ReadMarkerStore,
  StoreUnavailableError,
} from "../../state/read-marker-store.js";
import {
  loadSqlite,
  preparePrivateFiles,
  sqliteFailureReason,
  whileLocked,
} from "./sqlite-file.js";

export interface SqliteReadMarkerOptions {
  /** The database file (created 0600, as are its -wal and -shm); its directory is created
   * (mode 0700) when missing. */
  path: string;
  /** How long one attempt waits for another process's lock inside SQLite. That wait blocks
   * the event loop (node:sqlite is synchronous): 0 by default, and waiting is done between
   * attempts instead (`lockWaitMs`). */
  busyTimeoutMs?: number;
  /** How long a call keeps trying while another process holds the lock, attempting again
   * after timers that leave the event loop free; then it fails (POST /read answers 503). */
  lockWaitMs?: number;
  onListenerError?: (error: unknown) => void;
}

/** The Node default location: `$XDG_STATE_HOME/chat-list-gateway/state.sqlite`, else
 * `<home>/.local/state/chat-list-gateway/state.sqlite`. A relative XDG_STATE_HOME is ignored,
 * as the XDG spec says. */
export function defaultSqliteStatePath(env: Record<string, string | undefined>, home: string) {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, ".local", "state");
  return join(base, "chat-list-gateway", "state.sqlite");
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_markers (
    identity TEXT NOT NULL,
    item_id TEXT NOT NULL,
    ms INTEGER NOT NULL CHECK (ms >= 0),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (identity, item_id)
  ) STRICT, WITHOUT ROWID`;

// The whole forward-only rule: the row moves only when the stored (ms, seq) is before the new
// one, compared as a row of integers; RETURNING yields a row only for a marker that moved.
const ADVANCE = `
  INSERT INTO read_markers (identity, item_id, ms, seq, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (identity, item_id) DO UPDATE
    SET ms = excluded.ms, seq = excluded.seq, updated_at = excluded.updated_at
    WHERE (read_markers.ms, read_markers.seq) < (excluded.ms, excluded.seq)
  RETURNING item_id`;

const SET_IF_ABSENT = `
  INSERT INTO read_markers (identity, item_id, ms, seq, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (identity, item_id) DO NOTHING`;

// Readiness: a write that touches the markers' table, in a transaction that is rolled back. The
// empty identity is one no caller can have (checkIdentity refuses it).
const WRITE_PROBE = `
  INSERT INTO read_markers (identity, item_id, ms, seq, updated_at) VALUES ('', '', 0, 0, 0)
  ON CONFLICT (identity, item_id) DO UPDATE SET updated_at = excluded.updated_at`;

const READ = `
  SELECT item_id, ms, seq FROM read_markers
  WHERE identity = ? AND item_id IN (SELECT value FROM json_each(?))`;

interface Opened {
  db: DatabaseSync;
  advance: StatementSync;
  setIfAbsent: StatementSync;
  read: StatementSync;
  probe: StatementSync;
}

function open(path: string, busyTimeoutMs: number): Opened {
  preparePrivateFiles(path);
  const db = new (loadSqlite().DatabaseSync)(path);
  try {
    // The busy timeout first: a lock met later (switching to WAL, creating the table) fails
    // the open at once, and the open is attempted again (see attempt).
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.exec("PRAGMA journal_mode = WAL");
    // In WAL mode NORMAL survives a process crash; a power loss may drop the last marks.
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec(SCHEMA);
    return {
      db,
      advance: db.prepare(ADVANCE),
      setIfAbsent: db.prepare(SET_IF_ABSENT),
      read: db.prepare(READ),
      probe: db.prepare(WRITE_PROBE),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Markers in one SQLite file (node:sqlite, no native module): the Node default. Several
 * processes may share the file; every write is one BEGIN IMMEDIATE transaction, so concurrent
 * advances serialize and end at the maximum. node:sqlite is synchronous, so a lock another
 * process holds is never waited for inside SQLite (that wait would freeze the event loop, and
 * every request with it): a call attempts again after timers instead (see attempt). The file is opened on first use and again after a
 * failed open, so a store created while the disk is unusable recovers when it is usable.
 */
export function createSqliteReadMarkerStore(options: SqliteReadMarkerOptions): ReadMarkerStore {
  const busyTimeoutMs = options.busyTimeoutMs ?? 0;
  const lockWaitMs = options.lockWaitMs ?? 2000;
  const hub = createChangeHub(options.onListenerError);
  let opened: Opened | undefined;
  let closed = false;

  // Runs work on the open database; any failure of the database is StoreUnavailableError.
  function withDb<T>(work: (s: Opened) => T): T {
    if (closed)
      throw new StoreUnavailableError("sqlite", "the store is closed", { reason: "closed" });
    try {
      opened ??= open(options.path, busyTimeoutMs);
      return work(opened);
    } catch (error) {
      throw new StoreUnavailableError("sqlite", String(error), {
        cause: error,
        reason: sqliteFailureReason(error),
      });
    }
  }

  /**
   * withDb, attempted again while another process holds the lock: after pauses that leave the
   * event loop free (1, 2, 4 ... 50 ms), for up to lockWaitMs. Every attempt is a whole
   * transaction (rolled back when it fails), so attempting again is safe.
   */
  function attempt<T>(work: (s: Opened) => T): Promise<T> {
    return whileLocked(() => withDb(work), lockWaitMs);
  }

  function transaction<T>(s: Opened, work: () => T): T {
    s.db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      s.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (s.db.isTransaction) s.db.exec("ROLLBACK");
      throw error;
    }
  }

  function readMarkers(s: Opened, identity: string, itemIds: string[]) {
    const markers = new Map<string, Position>();
    if (itemIds.length === 0) return markers;
    const rows = s.read.all(identity, JSON.stringify(itemIds)) as Array<{
      item_id: string;
      ms: number;
      seq: number;
    }>;
    for (const row of rows) markers.set(row.item_id, { ms: row.ms, seq: row.seq });
    return markers;
  }

  /** Every batch in one BEGIN IMMEDIATE transaction: all written, or none (rolled back). */
  async function advanceChecked(batches: readonly CheckedBatch[]): Promise<AdvanceResult[]> {
    const now = Date.now();
    const results = await attempt((s) =>
      transaction(s, () =>
        batches.map(({ identity, wanted }) => {
          const changed: string[] = [];
          for (const [itemId, { ms, seq }] of wanted)
            if (s.advance.get(identity, itemId, BigInt(ms), BigInt(seq), now) !== undefined)
              changed.push(itemId);
          return { markers: readMarkers(s, identity, [...wanted.keys()]), changed };
        }),
      ),
    );
    batches.forEach(({ identity }, index) => {
      const { changed } = results[index] as AdvanceResult;
      if (changed.length > 0) hub.emit({ identity, itemIds: changed });
    });
    return results;
  }

  return {
    kind: "sqlite",
    durable: true,
    async read(identity, itemIds) {
      const id = checkIdentity(identity);
      const ids = checkItemIds(itemIds);
      return attempt((s) => readMarkers(s, id, ids));
    },
    async advance(identity, entries) {
      const [result] = await advanceChecked([checkBatch({ identity, entries })]);
      return result as AdvanceResult;
    },
    async advanceAll(batches) {
      return advanceChecked(batches.map(checkBatch));
    },
    async setIfAbsent(identity, entries) {
      const id = checkIdentity(identity);
      const wanted = checkEntries(entries);
      const now = Date.now();
      return attempt((s) =>
        transaction(s, () => {
          for (const [itemId, { ms, seq }] of wanted)
            s.setIfAbsent.run(id, itemId, BigInt(ms), BigInt(seq), now);
          return readMarkers(s, id, [...wanted.keys()]);
        }),
      );
    },
    subscribe: (listener) => hub.subscribe(listener),
    /** Reachable and able to store a marker: a write probe, rolled back, finds a database
     * that is read-only, corrupt where markers live, or held locked past lockWaitMs. */
    async check() {
      await attempt((s) => {
        s.db.exec("BEGIN IMMEDIATE");
        try {
          s.probe.run();
        } finally {
          if (s.db.isTransaction) s.db.exec("ROLLBACK");
        }
      });
    },
    async close() {
      closed = true;
      const s = opened;
      opened = undefined;
      s?.db.close();
    },
  };
}

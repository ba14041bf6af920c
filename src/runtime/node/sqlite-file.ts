// The SQLite store's file and driver: how the file is created, how node:sqlite is loaded, and
// what a lock held by another process looks like.
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
} from "node:fs";
import { dirname } from "node:path";
import { StoreUnavailableError } from "../../state/read-marker-store.js";

// node:sqlite prints "SQLite is an experimental feature" when first loaded; on a gateway that
// line reads like a fault. Only that one warning is dropped, only during that one load.
export function loadSqlite(): typeof import("node:sqlite") {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).startsWith("SQLite is an experimental feature")) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}

const PRIVATE_FILE = 0o600;

/** SQLITE_BUSY or SQLITE_LOCKED (extended codes included): another connection holds a lock. */
export function isLockedOut(error: unknown): boolean {
  const cause = error instanceof StoreUnavailableError ? error.cause : error;
  const code = (cause as { errcode?: unknown } | undefined)?.errcode;
  return typeof code === "number" && ((code & 0xff) === 5 || (code & 0xff) === 6);
}

const SQLITE_REASONS: Record<number, string> = {
  5: "another process holds the database's lock",
  6: "another process holds the database's lock",
  8: "the database is read-only",
  10: "disk I/O error",
  11: "the database file is corrupt",
  13: "the disk is full",
  14: "the database file cannot be opened",
  26: "the database file is not a database",
};

/** What went wrong with the database, in words without its path (for /readyz). */
export function sqliteFailureReason(error: unknown): string {
  const { errcode, code } = (error ?? {}) as { errcode?: unknown; code?: unknown };
  if (typeof errcode === "number") return SQLITE_REASONS[errcode & 0xff] ?? "the database failed";
  if (typeof code === "string" && /^E[A-Z]+$/.test(code))
    return `the database file cannot be created or opened (${code})`;
  return "the database failed";
}

/**
 * The database file, created private to the user before SQLite opens it: SQLite creates -wal
 * and -shm with the mode of the database file, and its own default (0644 less the umask) is
 * world-readable where the directory already existed. Files of an earlier run that others may
 * read lose those bits (best effort: a file the user cannot change is left as it is).
 */
export function preparePrivateFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Read-only, so a file the user made read-only stays usable for reading; no symlink
  // followed, and a FIFO planted there neither blocks the open nor passes for the database.
  const fd = openSync(
    path,
    constants.O_RDONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    PRIVATE_FILE,
  );
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
  } finally {
    closeSync(fd);
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const stat = lstatSync(file);
      if (stat.isFile() && (stat.mode & 0o077) !== 0) chmodSync(file, stat.mode & 0o700);
    } catch {
      // Absent, or not the user's to change.
    }
  }
}

/** The longest pause between two attempts at a locked database. */
const MAX_PAUSE_MS = 50;

/**
 * `work` (one whole transaction, rolled back when it fails, so attempting again is safe),
 * attempted again while another process holds the database's lock: after pauses that leave the
 * event loop free (1, 2, 4 ... 50 ms), for up to `lockWaitMs`; then a StoreUnavailableError.
 */
export async function whileLocked<T>(work: () => T, lockWaitMs: number): Promise<T> {
  const started = performance.now();
  for (let pause = 1; ; pause = Math.min(2 * pause, MAX_PAUSE_MS)) {
    try {
      return work();
    } catch (error) {
      if (!isLockedOut(error)) throw error;
      const waited = performance.now() - started;
      if (waited + pause > lockWaitMs)
        throw new StoreUnavailableError(
          "sqlite",
          `another process holds the database's lock (waited ${Math.round(waited)} ms)`,
          {
            cause: error,
            reason: `another process held the database's lock for ${lockWaitMs} ms`,
          },
        );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

import { DurableObject } from "cloudflare:workers";
import { createChangeHub } from "../../state/change-hub.js";
import { checkEntries, checkItemIds } from "../../state/marker-input.js";
import {
  InvalidMarkerInputError,
  type MarkerEntry,
  type ReadMarkerStore,
} from "../../state/read-marker-store.js";
import {
  type ClaimRow,
  claimRowFrom,
  completedRow,
  decideClaim,
  releases,
  type StoredClaimRow,
} from "../../state/write-claims.js";
import type {
  Claim,
  ClaimTimes,
  StoredAnswer,
  WriteAnnouncement,
  WriteStore,
} from "../../state/write-store.js";
import {
  checkAnnouncement,
  checkAnswer,
  checkFingerprint,
  checkIdempotencyKey,
  checkTimes,
  checkTtl,
} from "../../state/write-store-input.js";
import { CONFIG_HEADER, configProblem, createWorkerGateway, type Gateway } from "./gateway.js";

// One object per identity (idFromName(identity)), so the table needs no identity column, and
// all of an identity's writes run one at a time in one place.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_markers (
    item_id TEXT PRIMARY KEY,
    ms INTEGER NOT NULL CHECK (ms >= 0),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    updated_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID`;

// The forward-only rule: the row moves only when the stored (ms, seq) is before the new one,
// compared as a row of integers; RETURNING yields a row only for a marker that moved.
const ADVANCE = `
  INSERT INTO read_markers (item_id, ms, seq, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (item_id) DO UPDATE
    SET ms = excluded.ms, seq = excluded.seq, updated_at = excluded.updated_at
    WHERE (read_markers.ms, read_markers.seq) < (excluded.ms, excluded.seq)
  RETURNING item_id`;

const SET_IF_ABSENT = `
  INSERT INTO read_markers (item_id, ms, seq, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (item_id) DO NOTHING`;

const READ = `
  SELECT item_id, ms, seq FROM read_markers WHERE item_id IN (SELECT value FROM json_each(?))`;

// Idempotency answers of the identity's writes (DESIGN §13): one row per Idempotency-Key.
const WRITE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    lease_until INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID`;
const READ_KEY = `SELECT fingerprint, status, body, lease_until, expires_at FROM idempotency_keys
  WHERE key = ?`;
const WRITE_KEY = `INSERT OR REPLACE INTO idempotency_keys
  (key, fingerprint, status, body, lease_until, expires_at) VALUES (?, ?, ?, ?, ?, ?)`;

type MarkerRow = { item_id: string; ms: number; seq: number };
type AdvanceResult = { markers: MarkerEntry[]; changed: string[] };

/** What an RPC method answers: its result, or why the input was refused. */
export type Refusable<T> = { ok: T } | { refused: string };

function refusing<T>(work: () => T): Refusable<T> {
  try {
    return { ok: work() };
  } catch (error) {
    if (error instanceof InvalidMarkerInputError) return { refused: error.message };
    throw error;
  }
}

interface ObjectEnv {
  CHAT_LIST_CONFIG_JSON?: string;
}

/**
 * The read markers of one identity, in the object's own SQLite storage, and that identity's
 * live streams (DESIGN §9). Its RPC methods take and return plain arrays (what RPC carries);
 * createDurableObjectStore wraps them as a ReadMarkerStore. Input is checked here too: any code
 * in the Worker can call an object. Every mark of the identity, from whichever isolate, is an
 * advance here, so the streams this object holds hear every one of them at once.
 *
 * The streams are Server-Sent Events, which Durable Object hibernation does not cover (only
 * WebSockets hibernate): the object stays in memory while one of its streams is open.
 */
export class ReadStateObject extends DurableObject<ObjectEnv> {
  private readonly changes = createChangeHub();
  private readonly announced = new Set<(announcement: WriteAnnouncement) => void>();
  private gateway:
    | { configText: string | undefined; built: Gateway; unsubscribe: Array<() => void> }
    | undefined;

  constructor(ctx: DurableObjectState, env: ObjectEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
    ctx.storage.sql.exec(WRITE_SCHEMA);
  }

  // The RPC methods answer bad input with a refusal instead of throwing it across RPC (which
  // workerd also reports as an uncaught exception of the object); the store rethrows it.

  read(itemIds: string[]): Refusable<MarkerEntry[]> {
    return refusing(() => this.readMarkers(itemIds));
  }

  advance(entries: MarkerEntry[], identity = ""): Refusable<AdvanceResult> {
    return refusing(() => this.advanceMarkers(entries, identity));
  }

  setIfAbsent(entries: MarkerEntry[]): Refusable<MarkerEntry[]> {
    return refusing(() => this.setMarkersIfAbsent(entries));
  }

  // The identity's writes (DESIGN §13): its Idempotency-Key answers, and the announcement of
  // a write made by a Worker isolate, which this object's streams then show.

  claimWrite(key: string, fingerprint: string, now: number, times: ClaimTimes): Refusable<Claim> {
    return refusing(() => {
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const checked = checkTimes(times);
      return this.ctx.storage.transactionSync(() => {
        this.ctx.storage.sql.exec("DELETE FROM idempotency_keys WHERE expires_at <= ?", now);
        const decided = decideClaim(this.keyRow(k), print, now, checked);
        const row = decided.write;
        if (row !== undefined)
          this.ctx.storage.sql.exec(WRITE_KEY, k, print, null, null, row.leaseUntil, row.expiresAt);
        return decided.claim;
      });
    });
  }

  completeWrite(
    key: string,
    fingerprint: string,
    answer: StoredAnswer,
    now: number,
    ttlMs: number,
  ): Refusable<boolean> {
    return refusing(() => {
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const stored = checkAnswer(answer);
      const ttl = checkTtl(ttlMs);
      const row = completedRow(this.keyRow(k), print, stored, now, ttl);
      if (row !== undefined)
        this.ctx.storage.sql.exec(
          WRITE_KEY,
          k,
          print,
          row.status,
          row.body,
          row.leaseUntil,
          row.expiresAt,
        );
      return row !== undefined;
    });
  }

  releaseWrite(key: string, fingerprint: string): Refusable<boolean> {
    return refusing(() => {
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const free = releases(this.keyRow(k), print);
      if (free) this.ctx.storage.sql.exec("DELETE FROM idempotency_keys WHERE key = ?", k);
      return free;
    });
  }

  /** A write an isolate made for this identity: the streams held here show it. */
  announceWrite(announcement: WriteAnnouncement): Refusable<boolean> {
    return refusing(() => {
      const checked = checkAnnouncement(announcement);
      for (const listener of [...this.announced]) listener(checked);
      return true;
    });
  }

  private keyRow(key: string): ClaimRow | undefined {
    return claimRowFrom(this.ctx.storage.sql.exec<StoredClaimRow>(READ_KEY, key).toArray()[0]);
  }

  private readMarkers(itemIds: string[]): MarkerEntry[] {
    return this.markers(checkItemIds(itemIds));
  }

  /** Moves markers forward; `identity` (the object's own) names the change to its streams. */
  private advanceMarkers(entries: MarkerEntry[], identity: string): AdvanceResult {
    const wanted = checkEntries(entries);
    const now = Date.now();
    // All entries or none: transactionSync rolls back if anything throws.
    const result = this.ctx.storage.transactionSync(() => {
      const changed: string[] = [];
      for (const [itemId, { ms, seq }] of wanted) {
        const moved = this.ctx.storage.sql.exec(ADVANCE, itemId, ms, seq, now).toArray();
        if (moved.length > 0) changed.push(itemId);
      }
      return { markers: this.markers([...wanted.keys()]), changed };
    });
    if (result.changed.length > 0) this.changes.emit({ identity, itemIds: result.changed });
    return result;
  }

  /** A stream request the Worker handed over (GET /api/chat-list/stream of this identity). */
  override async fetch(request: Request): Promise<Response> {
    const handed = request.headers.get(CONFIG_HEADER);
    const configText =
      handed === null ? this.env.CHAT_LIST_CONFIG_JSON : decodeURIComponent(handed);
    let gateway = this.gateway;
    if (gateway === undefined || gateway.configText !== configText) {
      // A new config (a deploy): the old gateway's streams end (clients reconnect to this one)
      // and it stops hearing this object's marks, so nothing of it is kept.
      gateway?.built.shutdown?.();
      for (const off of gateway?.unsubscribe ?? []) off();
      const unsubscribe: Array<() => void> = [];
      gateway = {
        configText,
        built: createWorkerGateway(configText, {
          inObject: {
            readMarkers: this.store(unsubscribe),
            writeStore: this.writeStore(unsubscribe),
          },
        }),
        unsubscribe,
      };
      this.gateway = gateway;
    }
    const { built } = gateway;
    if (built.error !== undefined) return configProblem(built.error);
    return built.app.fetch(request);
  }

  /** This object's markers as a ReadMarkerStore, for the gateway that serves its streams;
   * every subscription it hands out is collected in `subscriptions`. */
  private store(subscriptions: Array<() => void>): ReadMarkerStore {
    const toMap = (entries: MarkerEntry[]) =>
      new Map(entries.map(({ itemId, position }) => [itemId, position]));
    return {
      kind: "durable_object",
      durable: true,
      read: async (_identity, itemIds) => toMap(this.readMarkers([...itemIds])),
      advance: async (identity, entries) => {
        const result = this.advanceMarkers([...entries], identity);
        return { markers: toMap(result.markers), changed: result.changed };
      },
      setIfAbsent: async (_identity, entries) => toMap(this.setMarkersIfAbsent([...entries])),
      subscribe: (listener) => {
        const off = this.changes.subscribe(listener);
        subscriptions.push(off);
        return off;
      },
      check: async () => {
        this.ping();
      },
      close: async () => {},
    };
  }

  /** This object's writes as a WriteStore, for the gateway that serves its streams: it hears
   * what isolates announce; it makes no writes itself (writes are answered by the isolates). */
  private writeStore(subscriptions: Array<() => void>): WriteStore {
    const answer = <T>(result: Refusable<T>): T => {
      if ("refused" in result) throw new InvalidMarkerInputError(result.refused);
      return result.ok;
    };
    return {
      kind: "durable_object",
      durable: true,
      claim: async (_identity, key, fingerprint, times) =>
        answer(this.claimWrite(key, fingerprint, Date.now(), times)),
      complete: async (_identity, key, fingerprint, stored, ttlMs) => {
        answer(this.completeWrite(key, fingerprint, stored, Date.now(), ttlMs));
      },
      release: async (_identity, key, fingerprint) => {
        answer(this.releaseWrite(key, fingerprint));
      },
      announce: async () => {},
      subscribe: (listener) => {
        this.announced.add(listener);
        const off = () => {
          this.announced.delete(listener);
        };
        subscriptions.push(off);
        return off;
      },
      check: async () => {
        this.ping();
      },
      close: async () => {},
    };
  }

  private setMarkersIfAbsent(entries: MarkerEntry[]): MarkerEntry[] {
    const wanted = checkEntries(entries);
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      for (const [itemId, { ms, seq }] of wanted)
        this.ctx.storage.sql.exec(SET_IF_ABSENT, itemId, ms, seq, now);
      return this.markers([...wanted.keys()]);
    });
  }

  /** A round trip that touches storage, for check(). */
  ping(): Refusable<boolean> {
    return { ok: this.ctx.storage.sql.exec("SELECT 1 AS one").one().one === 1 };
  }

  private markers(itemIds: string[]): MarkerEntry[] {
    if (itemIds.length === 0) return [];
    const rows = this.ctx.storage.sql.exec<MarkerRow>(READ, JSON.stringify(itemIds)).toArray();
    return rows.map((row) => ({ itemId: row.item_id, position: { ms: row.ms, seq: row.seq } }));
  }
}

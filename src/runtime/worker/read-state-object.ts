import { DurableObject } from "cloudflare:workers";
import { checkEntries, checkItemIds } from "../../state/marker-input.js";
import type { MarkerEntry } from "../../state/read-marker-store.js";

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

type MarkerRow = { item_id: string; ms: number; seq: number };

/**
 * The read markers of one identity, in the object's own SQLite storage. Its RPC methods take
 * and return plain arrays (what RPC carries); createDurableObjectStore wraps them as a
 * ReadMarkerStore. Input is checked here too: any code in the Worker can call an object.
 * (A later issue makes this object also hold the identity's list streams, §9.)
 */
export class ReadStateObject extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  read(itemIds: string[]): MarkerEntry[] {
    return this.markers(checkItemIds(itemIds));
  }

  advance(entries: MarkerEntry[]): { markers: MarkerEntry[]; changed: string[] } {
    const wanted = checkEntries(entries);
    const now = Date.now();
    // All entries or none: transactionSync rolls back if anything throws.
    return this.ctx.storage.transactionSync(() => {
      const changed: string[] = [];
      for (const [itemId, { ms, seq }] of wanted) {
        const moved = this.ctx.storage.sql.exec(ADVANCE, itemId, ms, seq, now).toArray();
        if (moved.length > 0) changed.push(itemId);
      }
      return { markers: this.markers([...wanted.keys()]), changed };
    });
  }

  setIfAbsent(entries: MarkerEntry[]): MarkerEntry[] {
    const wanted = checkEntries(entries);
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      for (const [itemId, { ms, seq }] of wanted)
        this.ctx.storage.sql.exec(SET_IF_ABSENT, itemId, ms, seq, now);
      return this.markers([...wanted.keys()]);
    });
  }

  /** A round trip that touches storage, for check(). */
  ping(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 AS one").one().one === 1;
  }

  private markers(itemIds: string[]): MarkerEntry[] {
    if (itemIds.length === 0) return [];
    const rows = this.ctx.storage.sql.exec<MarkerRow>(READ, JSON.stringify(itemIds)).toArray();
    return rows.map((row) => ({ itemId: row.item_id, position: { ms: row.ms, seq: row.seq } }));
  }
}

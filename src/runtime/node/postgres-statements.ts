// The PostgreSQL statements of the read-marker store. Entries travel as one JSON parameter
// (json_to_recordset), so a batch of any size is one statement with three parameters.
import type postgres from "postgres";
import type { Position } from "../../state/read-marker-store.js";

// A pool or a transaction: the statements run on either.
type Sql = postgres.ISql;

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const NOTIFY_PAYLOAD_LIMIT = 8000;

export interface MarkerRow {
  item_id: string;
  ms: string;
  seq: string;
}

export interface AdvanceRow extends MarkerRow {
  /** The NOTIFY payload sent with this change (the same on every row). */
  announced: string;
}

/** bigint columns arrive as text; the store only ever writes safe integers. */
export function positionOf(row: MarkerRow): Position {
  return { ms: Number(row.ms), seq: Number(row.seq) };
}

// Sorted by item id, so two batches over the same items lock their rows in the same order
// and cannot deadlock.
function entriesJson(entries: Map<string, Position>): string {
  return JSON.stringify(
    [...entries]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([itemId, { ms, seq }]) => ({ item_id: itemId, ms, seq })),
  );
}

export function createSchema(sql: Sql) {
  return sql`
    CREATE TABLE IF NOT EXISTS chat_list_read_markers (
      identity text NOT NULL,
      item_id text NOT NULL,
      ms bigint NOT NULL CHECK (ms >= 0),
      seq bigint NOT NULL CHECK (seq >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (identity, item_id)
    )`;
}

export function read(sql: Sql, identity: string, itemIds: string[]) {
  return sql`
    SELECT item_id, ms::text AS ms, seq::text AS seq FROM chat_list_read_markers
    WHERE identity = ${identity}
      AND item_id IN (SELECT json_array_elements_text(${JSON.stringify(itemIds)}::text::json))`;
}

/**
 * One statement, one implicit transaction: upsert every entry forward-only (the row moves only
 * when its stored (ms, seq) is before the new one, compared as a row of integers), then NOTIFY
 * `{identity, itemIds}` of the rows that moved — `itemIds: []` when that payload would be too
 * long — and return the moved rows. The NOTIFY is delivered at commit, so no instance hears of
 * a change that was rolled back, and none misses one that committed.
 */
export function advance(
  sql: Sql,
  identity: string,
  entries: Map<string, Position>,
  channel: string,
) {
  return sql`
    WITH input AS (
      SELECT * FROM json_to_recordset(${entriesJson(entries)}::text::json)
        AS e(item_id text, ms bigint, seq bigint)
    ), moved AS (
      INSERT INTO chat_list_read_markers AS m (identity, item_id, ms, seq)
      SELECT ${identity}, item_id, ms, seq FROM input ORDER BY item_id
      ON CONFLICT (identity, item_id) DO UPDATE
        SET ms = EXCLUDED.ms, seq = EXCLUDED.seq, updated_at = now()
        WHERE (m.ms, m.seq) < (EXCLUDED.ms, EXCLUDED.seq)
      RETURNING m.item_id, m.ms, m.seq
    ), listed AS (
      SELECT json_build_object('identity', ${identity}::text, 'itemIds', json_agg(item_id))::text AS text
      FROM moved HAVING count(*) > 0
    ), announced AS (
      SELECT CASE WHEN octet_length(text) < ${NOTIFY_PAYLOAD_LIMIT} THEN text
        ELSE json_build_object('identity', ${identity}::text, 'itemIds', '[]'::json)::text END AS text
      FROM listed
    ), sent AS (
      SELECT text, pg_notify(${channel}, text) FROM announced
    )
    SELECT item_id, ms::text AS ms, seq::text AS seq, (SELECT text FROM sent) AS announced
    FROM moved`;
}

export function insertIfAbsent(sql: Sql, identity: string, entries: Map<string, Position>) {
  return sql`
    INSERT INTO chat_list_read_markers (identity, item_id, ms, seq)
    SELECT ${identity}, item_id, ms, seq
    FROM json_to_recordset(${entriesJson(entries)}::text::json) AS e(item_id text, ms bigint, seq bigint)
    ORDER BY item_id
    ON CONFLICT (identity, item_id) DO NOTHING`;
}

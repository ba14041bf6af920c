import type postgres from "postgres";
import { createChangeHub } from "../../state/change-hub.js";
import {
  type CheckedBatch,
  checkBatch,
  checkEntries,
  checkIdentity,
  checkItemIds,
} from "../../state/marker-input.js";
import {
  type MarkerChange,
  type Position,
  type ReadMarkerStore,
  StoreUnavailableError,
} from "../../state/read-marker-store.js";
import { openPostgres, schemaOnce, withinDeadline } from "./postgres-client.js";
import { createEchoFilter, parseNotification } from "./postgres-echoes.js";
import * as statements from "./postgres-statements.js";

export interface PostgresReadMarkerOptions {
  /** A connection string, `postgres://user:pass@host:5432/db`. */
  url: string;
  /** Each call's deadline, connecting included: past it the call rejects with
   * StoreUnavailableError. Also the server-side statement_timeout. */
  timeoutMs?: number;
  /** Connections in the pool (LISTEN takes one more). */
  maxConnections?: number;
  /** Errors that belong to no call: a failed schema creation at start, a throwing subscriber. */
  onError?: (error: unknown) => void;
}

/** The NOTIFY channel every gateway instance listens on. */
export const READ_MARKER_CHANNEL = "chat_list_read_markers";

type Sql = postgres.Sql;

/** An advance inside a transaction, and the change it announced (delivered at commit). */
interface Written {
  markers: Map<string, Position>;
  changed: string[];
  announced: MarkerChange | undefined;
}

/**
 * Markers in PostgreSQL, for Node fleets. Every instance sees every write at once (one row per
 * identity and item); every advance is one statement that upserts forward-only and NOTIFYs the
 * change in the same transaction, so other instances' streams hear it (§9). While the server
 * is down, calls fail within `timeoutMs` and the pool, the schema and LISTEN come back by
 * themselves when it returns.
 */
export function createPostgresReadMarkerStore(options: PostgresReadMarkerOptions): ReadMarkerStore {
  const timeoutMs = options.timeoutMs ?? 2000;
  const onError = options.onError ?? (() => {});
  const hub = createChangeHub(onError);
  const echoes = createEchoFilter((change) => hub.emit(change));
  const sql: Sql = openPostgres(options.url, { max: options.maxConnections ?? 4, timeoutMs });
  let closed = false;
  let listening = false;
  // True once LISTEN has been answered: from then on every own change comes back as an echo.
  let listenReady = false;

  /** Awaits a query (or a transaction) until `deadline`; any failure becomes
   * StoreUnavailableError. */
  const within = <T>(query: PromiseLike<unknown>, deadline: number) =>
    withinDeadline(query, deadline, timeoutMs) as Promise<T>;

  /** Creates the table once; after a failure (server down at start) the next call tries again. */
  const ensureSchema = schemaOnce((deadline: number) =>
    within(statements.createSchema(sql), deadline),
  );

  async function begin(): Promise<number> {
    if (closed) throw new StoreUnavailableError("postgres", "the store is closed");
    const deadline = Date.now() + timeoutMs;
    await ensureSchema(deadline);
    return deadline;
  }

  async function readMarkers(identity: string, itemIds: string[], deadline: number) {
    const markers = new Map<string, Position>();
    if (itemIds.length === 0) return markers;
    const rows = await within<statements.MarkerRow[]>(
      statements.read(sql, identity, itemIds),
      deadline,
    );
    for (const row of rows) markers.set(row.item_id, statements.positionOf(row));
    return markers;
  }

  /** One identity's advance inside a transaction, with every entry's marker after it. */
  async function advanceIn(
    tx: postgres.TransactionSql,
    identity: string,
    wanted: Map<string, Position>,
  ): Promise<Written> {
    if (wanted.size === 0) return { markers: new Map(), changed: [], announced: undefined };
    const moved = (await statements.advance(
      tx,
      identity,
      wanted,
      READ_MARKER_CHANNEL,
    )) as unknown as statements.AdvanceRow[];
    const markers = new Map(moved.map((row) => [row.item_id, statements.positionOf(row)]));
    const unmoved = [...wanted.keys()].filter((itemId) => !markers.has(itemId));
    if (unmoved.length > 0) {
      const rows = (await statements.read(
        tx,
        identity,
        unmoved,
      )) as unknown as statements.MarkerRow[];
      for (const row of rows) markers.set(row.item_id, statements.positionOf(row));
    }
    return {
      markers,
      changed: moved.map((row) => row.item_id),
      announced: parseNotification(moved[0]?.announced ?? ""),
    };
  }

  function onNotification(payload: string): void {
    const change = parseNotification(payload);
    if (change !== undefined) echoes.heard(change);
  }

  // Started with the first subscriber and kept until close: postgres.js re-LISTENs on a new
  // connection whenever that one drops, with the same backoff.
  function listen(): void {
    if (listening || closed) return;
    listening = true;
    const ready = () => {
      listenReady = true;
    };
    sql.listen(READ_MARKER_CHANNEL, onNotification, ready).catch(onError);
  }

  // Start creating the schema now, so a healthy server costs the first request nothing.
  ensureSchema(Date.now() + timeoutMs).catch(onError);

  return {
    kind: "postgres",
    durable: true,
    async read(identity, itemIds) {
      const id = checkIdentity(identity);
      const ids = checkItemIds(itemIds);
      return readMarkers(id, ids, await begin());
    },
    async advance(identity, entries) {
      const id = checkIdentity(identity);
      const wanted = checkEntries(entries);
      const deadline = await begin();
      if (wanted.size === 0) return { markers: new Map(), changed: [] };
      const echoExpected = listenReady;
      const done = echoes.track(id);
      let echoed: MarkerChange | undefined;
      try {
        const moved = await within<statements.AdvanceRow[]>(
          statements.advance(sql, id, wanted, READ_MARKER_CHANNEL),
          deadline,
        );
        const markers = new Map(moved.map((row) => [row.item_id, statements.positionOf(row)]));
        const changed = moved.map((row) => row.item_id);
        const sent = parseNotification(moved[0]?.announced ?? "");
        if (sent !== undefined) {
          hub.emit({ identity: id, itemIds: changed });
          // Before LISTEN was up the echo may never come: then expect none (at worst, twice).
          if (echoExpected) echoed = sent;
        }
        const unmoved = [...wanted.keys()].filter((itemId) => !markers.has(itemId));
        for (const [itemId, position] of await readMarkers(id, unmoved, deadline))
          markers.set(itemId, position);
        return { markers, changed };
      } finally {
        done(echoed);
      }
    },
    async advanceAll(batches) {
      const checked = batches.map(checkBatch);
      const deadline = await begin();
      const echoExpected = listenReady;
      const done = checked.map(({ identity }) => echoes.track(identity));
      const echoed: (MarkerChange | undefined)[] = checked.map(() => undefined);
      const late = () => {
        const reason = `no answer within ${timeoutMs} ms`;
        return new StoreUnavailableError("postgres", reason, { reason });
      };
      try {
        // One transaction for every identity: all batches are written, or none. A transaction
        // that outlived its caller's deadline rolls back rather than commit after the caller
        // was told it failed.
        const written = await within<Written[]>(
          sql.begin(async (tx) => {
            const out: Written[] = [];
            for (const { identity, wanted } of checked) {
              if (Date.now() > deadline) throw late();
              out.push(await advanceIn(tx, identity, wanted));
            }
            if (Date.now() > deadline) throw late();
            return out;
          }),
          deadline,
        );
        return written.map(({ markers, changed, announced }, index) => {
          const { identity } = checked[index] as CheckedBatch;
          if (announced !== undefined) {
            hub.emit({ identity, itemIds: changed });
            if (echoExpected) echoed[index] = announced;
          }
          return { markers, changed };
        });
      } finally {
        done.forEach((end, index) => {
          end(echoed[index]);
        });
      }
    },
    async setIfAbsent(identity, entries) {
      const id = checkIdentity(identity);
      const wanted = checkEntries(entries);
      const deadline = await begin();
      if (wanted.size === 0) return new Map();
      await within(statements.insertIfAbsent(sql, id, wanted), deadline);
      return readMarkers(id, [...wanted.keys()], deadline);
    },
    subscribe(listener) {
      listen();
      return hub.subscribe(listener);
    },
    /** Reachable and writable: a standby or a read-only session could store no marker. */
    async check() {
      const [row] = await within<Array<{ read_only: boolean }>>(
        sql`SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' AS read_only`,
        await begin(),
      );
      if (row?.read_only === true) {
        const readOnly = "the database is read-only";
        throw new StoreUnavailableError("postgres", readOnly, { reason: readOnly });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 1 });
    },
  };
}

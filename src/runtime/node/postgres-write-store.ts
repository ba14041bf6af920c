import type postgres from "postgres";
import { StoreUnavailableError } from "../../state/read-marker-store.js";
import {
  type ClaimRow,
  claimRowFrom,
  decideClaim,
  type StoredClaimRow,
} from "../../state/write-claims.js";
import type { Claim, WriteAnnouncement, WriteStore } from "../../state/write-store.js";
import {
  checkAnnouncement,
  checkAnswer,
  checkFingerprint,
  checkIdempotencyKey,
  checkTimes,
  checkTtl,
  checkWriteIdentity,
} from "../../state/write-store-input.js";
import { openPostgres, schemaOnce, withinDeadline } from "./postgres-client.js";
import { NOTIFY_PAYLOAD_LIMIT } from "./postgres-statements.js";

export interface PostgresWriteStoreOptions {
  url: string;
  /** Each call's deadline, connecting included (also the server's statement_timeout). */
  timeoutMs?: number;
  now?: () => number;
  /** Errors that belong to no call: schema creation at start, a listener that throws. */
  onError?: (error: unknown) => void;
}

/** The NOTIFY channel writes are announced on (DESIGN §13). */
export const WRITE_CHANNEL = "chat_list_writes";

const SWEEP_EVERY_MS = 60_000;

type Sql = postgres.Sql;

/**
 * Idempotency answers in PostgreSQL, shared by every instance of a fleet, and writes announced
 * to the other instances with NOTIFY on `chat_list_writes` (each instance LISTENs; its own
 * announcements are recognized by an origin id and not heard). A claim is one upsert that
 * takes the key only when it is free, expired, or its claim lapsed; of concurrent claims, the
 * row lock lets exactly one through. Its own pool of two connections (and one for LISTEN).
 */
export function createPostgresWriteStore(options: PostgresWriteStoreOptions): WriteStore {
  const timeoutMs = options.timeoutMs ?? 2000;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => {});
  const origin = Math.random().toString(36).slice(2, 12);
  const listeners = new Set<(announcement: WriteAnnouncement) => void>();
  const sql: Sql = openPostgres(options.url, { max: 2, timeoutMs });
  let closed = false;
  let listening = false;
  let sweptAt = Number.NEGATIVE_INFINITY;

  const within = <T>(query: PromiseLike<T>) =>
    withinDeadline(query, Date.now() + timeoutMs, timeoutMs) as Promise<T>;

  const ensureSchema = schemaOnce(() =>
    within(
      sql.begin(async (tx) => {
        await tx`
          CREATE TABLE IF NOT EXISTS chat_list_idempotency_keys (
            identity text NOT NULL,
            key text NOT NULL,
            fingerprint text NOT NULL,
            status integer,
            body text,
            lease_until bigint NOT NULL,
            expires_at bigint NOT NULL,
            PRIMARY KEY (identity, key)
          )`;
        await tx`CREATE INDEX IF NOT EXISTS chat_list_idempotency_keys_expiry
          ON chat_list_idempotency_keys (expires_at)`;
      }),
    ),
  );

  async function begin(): Promise<void> {
    if (closed) throw new StoreUnavailableError("postgres", "the store is closed");
    await ensureSchema();
  }

  async function readRow(identity: string, key: string): Promise<ClaimRow | undefined> {
    const rows = await within(sql<StoredClaimRow[]>`
      SELECT fingerprint, status, body, lease_until::text, expires_at::text
      FROM chat_list_idempotency_keys WHERE identity = ${identity} AND key = ${key}`);
    return claimRowFrom(rows[0]);
  }

  function sweep(at: number): void {
    if (at - sweptAt < SWEEP_EVERY_MS) return;
    sweptAt = at;
    within(sql`DELETE FROM chat_list_idempotency_keys WHERE expires_at <= ${at}`).catch(onError);
  }

  function onNotification(payload: string): void {
    let parsed: { origin?: unknown; identity?: unknown; effect?: unknown };
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    if (parsed.origin === origin || typeof parsed.identity !== "string") return;
    const announcement = { identity: parsed.identity, effect: parsed.effect ?? null };
    for (const listener of [...listeners]) {
      try {
        listener(announcement);
      } catch (error) {
        onError(error);
      }
    }
  }

  ensureSchema().catch(onError);

  return {
    kind: "postgres",
    durable: true,
    async claim(identity, key, fingerprint, times) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const checked = checkTimes(times);
      await begin();
      for (let attempt = 0; attempt < 3; attempt++) {
        const at = now();
        sweep(at);
        const leaseUntil = at + checked.leaseMs;
        const expiresAt = at + Math.max(checked.leaseMs, checked.ttlMs);
        // Takes the key only when it is free; the row lock makes one of concurrent claims win.
        const taken = await within(sql`
          INSERT INTO chat_list_idempotency_keys AS r
            (identity, key, fingerprint, status, body, lease_until, expires_at)
          VALUES (${id}, ${k}, ${print}, NULL, NULL, ${leaseUntil}, ${expiresAt})
          ON CONFLICT (identity, key) DO UPDATE SET
            fingerprint = EXCLUDED.fingerprint, status = NULL, body = NULL,
            lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at
          WHERE r.expires_at <= ${at} OR (r.status IS NULL AND r.lease_until <= ${at})
          RETURNING 1`);
        if (taken.length > 0) return { state: "claimed" } satisfies Claim;
        // Someone holds it: what they hold. (Released or lapsed meanwhile: try again.)
        const decided = decideClaim(await readRow(id, k), print, at, checked);
        if (decided.write === undefined) return decided.claim;
      }
      return { state: "in_progress" } satisfies Claim;
    },
    async complete(identity, key, fingerprint, answer, ttlMs) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const stored = checkAnswer(answer);
      const ttl = checkTtl(ttlMs);
      await begin();
      await within(sql`
        UPDATE chat_list_idempotency_keys
        SET status = ${stored.status}, body = ${stored.body}, expires_at = ${now() + ttl}
        WHERE identity = ${id} AND key = ${k} AND fingerprint = ${print} AND status IS NULL`);
    },
    async release(identity, key, fingerprint) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      await begin();
      await within(sql`
        DELETE FROM chat_list_idempotency_keys
        WHERE identity = ${id} AND key = ${k} AND fingerprint = ${print} AND status IS NULL`);
    },
    async announce(announcement) {
      const { identity, effect } = checkAnnouncement(announcement);
      if (closed) throw new StoreUnavailableError("postgres", "the store is closed");
      let payload = JSON.stringify({ origin, identity, effect });
      // Too long for NOTIFY: the others refresh that identity's lists without applying it.
      if (new TextEncoder().encode(payload).byteLength >= NOTIFY_PAYLOAD_LIMIT)
        payload = JSON.stringify({ origin, identity, effect: null });
      await within(sql`SELECT pg_notify(${WRITE_CHANNEL}, ${payload})`);
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!listening && !closed) {
        listening = true;
        sql.listen(WRITE_CHANNEL, onNotification).catch(onError);
      }
      return () => {
        listeners.delete(listener);
      };
    },
    async check() {
      await begin();
      await within(sql`SELECT 1`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 1 });
    },
  };
}

import postgres from "postgres";
import { StoreUnavailableError } from "../../state/read-marker-store.js";

/**
 * A postgres.js client as the PostgreSQL stores open it: `max` connections (and one more for
 * LISTEN, when a store listens), a connect and statement deadline of `timeoutMs`, no type
 * lookups, notices ignored (CREATE TABLE IF NOT EXISTS reports "already exists" as one).
 */
export function openPostgres(url: string, options: { max: number; timeoutMs: number }) {
  const { timeoutMs } = options;
  return postgres(url, {
    max: options.max,
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    idle_timeout: 60,
    // Reconnect attempts grow from 50 ms to half a deadline apart (the default grows to 20 s),
    // so a call made soon after the server came back still connects within its deadline.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, timeoutMs / 2000),
    fetch_types: false,
    onnotice: () => {},
    connection: { application_name: "chat-list-gateway", statement_timeout: timeoutMs },
  });
}

/**
 * Awaits a query (or a transaction) until `deadline` (epoch ms); any failure becomes
 * StoreUnavailableError, a late answer one that says `timeoutMs`.
 */
export async function withinDeadline(
  query: PromiseLike<unknown>,
  deadline: number,
  timeoutMs: number,
): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        // A query not yet given to a connection is taken off the queue, so it cannot run
        // after its caller was told it failed. (One already sent ends by statement_timeout;
        // postgres.js's cancel of a sent query opens a connection and drops that promise.)
        const pending = query as { cancel?: () => unknown; state?: unknown };
        if (typeof pending.cancel === "function" && pending.state === undefined) pending.cancel();
        const late = `no answer within ${timeoutMs} ms`;
        reject(new StoreUnavailableError("postgres", late, { reason: late }));
      },
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([query, expired]);
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError("postgres", String(error), { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** What PostgreSQL answers the loser of two concurrent `CREATE … IF NOT EXISTS` of one table:
 * a unique violation on the catalog (23505), "relation already exists" (42P07), or "type
 * already exists" (42710: the table's row type, seen in CI with two stores starting at once). */
const CREATED_BY_ANOTHER = new Set(["23505", "42P07", "42710"]);

/**
 * `create` (a store's schema) run once: concurrent callers share the attempt, and after a
 * failure (the server down at start) the next call tries again. Two instances creating the
 * same table at once is not a failure: the loser sees a duplicate (CREATED_BY_ANOTHER).
 */
export function schemaOnce<A extends unknown[]>(
  create: (...args: A) => Promise<unknown>,
): (...args: A) => Promise<void> {
  let schema: Promise<void> | undefined;
  return (...args) => {
    schema ??= create(...args).then(
      () => {},
      (error: StoreUnavailableError) => {
        const code = (error.cause as { code?: string } | undefined)?.code;
        if (code !== undefined && CREATED_BY_ANOTHER.has(code)) return;
        schema = undefined;
        throw error;
      },
    );
    return schema;
  };
}

import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's PostgreSQL server (a superuser URL), or why there is none. */
    postgres: { url: string; reason: null } | { url: null; reason: string };
  }
}

/** Why PostgreSQL tests cannot run (they skip with this reason), or undefined when they can.
 * With CHAT_LIST_REQUIRE_POSTGRES=1 (CI) it throws instead, so those tests fail. */
export function postgresUnavailable(): string | undefined {
  const { reason } = inject("postgres");
  if (reason === null) return undefined;
  if (process.env.CHAT_LIST_REQUIRE_POSTGRES === "1")
    throw new Error(`CHAT_LIST_REQUIRE_POSTGRES=1 but PostgreSQL is unavailable: ${reason}`);
  return `PostgreSQL unavailable: ${reason}`;
}

/** Creates a database of its own on `serverUrl` and returns its URL and how to drop it. NOTIFY
 * channels are per database, so test files sharing the server do not hear each other. */
export async function createTestDatabase(serverUrl: string) {
  const name = `chat_list_test_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** A database of this test file's own on the run's server, when there is one. */
export function usePostgresDatabase(): { readonly url: string } {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    const { url } = inject("postgres");
    if (url !== null) database = await createTestDatabase(url);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get url() {
      if (database === undefined)
        throw new Error("no PostgreSQL database (see postgresUnavailable)");
      return database.url;
    },
  };
}

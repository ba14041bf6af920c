// vitest globalSetup of the node project: one throwaway PostgreSQL server for the whole run,
// its URL handed to tests through provide/inject. When PostgreSQL is missing or cannot start,
// tests get the reason instead and skip (or fail, with CHAT_LIST_REQUIRE_POSTGRES=1). The type
// of what is provided is declared in ./postgres.ts.
import type { TestProject } from "vitest/node";
import type { PostgresServer } from "./postgres-server.js";
import { startPostgresServer } from "./postgres-server.js";

export default async function setup(project: TestProject) {
  let server: PostgresServer;
  try {
    server = await startPostgresServer();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    project.provide("postgres", { url: null, reason });
    const outcome = process.env.CHAT_LIST_REQUIRE_POSTGRES === "1" ? "FAIL" : "be skipped";
    process.stderr.write(`\npostgres: tests that need PostgreSQL will ${outcome}: ${reason}\n\n`);
    return;
  }
  project.provide("postgres", { url: server.url, reason: null });
  return () => server.destroy();
}

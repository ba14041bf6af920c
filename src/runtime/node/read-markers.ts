import type { Config } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import { createMemoryReadMarkerStore } from "../../state/memory-store.js";
import { createMemoryWriteStore } from "../../state/memory-write-store.js";
import type { ReadMarkerStore } from "../../state/read-marker-store.js";
import type { WriteStore } from "../../state/write-store.js";
import { createPostgresReadMarkerStore } from "./postgres-read-markers.js";
import { createPostgresWriteStore } from "./postgres-write-store.js";
import { createSqliteReadMarkerStore, defaultSqliteStatePath } from "./sqlite-read-markers.js";
import { createSqliteWriteStore } from "./sqlite-write-store.js";

/**
 * The read-marker store `state.kind` names (DESIGN §8); SQLite under the XDG state directory
 * when the config names none, so a desktop gateway keeps its badges across restarts.
 */
export function createNodeReadMarkers(
  state: Config["state"],
  env: Record<string, string | undefined>,
  home: string,
  logger: Logger,
): ReadMarkerStore {
  const onListenerError = (error: unknown) =>
    logger.error({ event: "read_marker_listener_failed", error: String(error) });
  switch (state?.kind) {
    case "postgres":
      return createPostgresReadMarkerStore({
        url: state.url,
        onError: (error) =>
          logger.warn({ event: "read_state_postgres_error", reason: String(error) }),
      });
    case "memory":
      return createMemoryReadMarkerStore({ onListenerError });
    default:
      return createSqliteReadMarkerStore({ path: sqlitePath(state, env, home), onListenerError });
  }
}

function sqlitePath(
  state: Config["state"],
  env: Record<string, string | undefined>,
  home: string,
): string {
  return state?.kind === "sqlite" && state.path !== undefined
    ? state.path
    : defaultSqliteStatePath(env, home);
}

/**
 * Where writes keep their Idempotency-Key answers (DESIGN §13): the same backend, and for
 * sqlite the same file, as the read markers.
 */
export function createNodeWriteStore(
  state: Config["state"],
  env: Record<string, string | undefined>,
  home: string,
  logger: Logger,
): WriteStore {
  switch (state?.kind) {
    case "postgres":
      return createPostgresWriteStore({
        url: state.url,
        onError: (error) =>
          logger.warn({ event: "write_state_postgres_error", reason: String(error) }),
      });
    case "memory":
      return createMemoryWriteStore();
    default:
      return createSqliteWriteStore({ path: sqlitePath(state, env, home) });
  }
}

import type { Config } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import { createMemoryReadMarkerStore } from "../../state/memory-store.js";
import type { ReadMarkerStore } from "../../state/read-marker-store.js";
import { createPostgresReadMarkerStore } from "./postgres-read-markers.js";
import { createSqliteReadMarkerStore, defaultSqliteStatePath } from "./sqlite-read-markers.js";

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
      return createSqliteReadMarkerStore({
        path:
          state?.kind === "sqlite" && state.path !== undefined
            ? state.path
            : defaultSqliteStatePath(env, home),
        onListenerError,
      });
  }
}

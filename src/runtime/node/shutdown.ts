import type { ServerType } from "@hono/node-server";
import type { Logger } from "../../core/logger.js";

/** How long in-flight requests may take to finish after a stop before their sockets close. */
const GRACE_MS = 10_000;
/** How often the parent is looked at when there is no IPC channel to watch. */
const PARENT_POLL_MS = 500;

export interface ShutdownOptions {
  server: ServerType;
  logger: Logger;
  /** Releases what the server used (the upstream pool); runs once the server has closed. */
  release: () => Promise<void>;
  /** Ends what would hold the server open forever (the live streams), before it closes. */
  beforeClose?: () => void;
}

/**
 * Stops the server gracefully, once, on SIGTERM, SIGINT or SIGHUP, or when the process that
 * started it is gone: stops accepting, closes keep-alive sockets as they turn idle, lets
 * in-flight requests finish (up to 10 s, then closes their sockets), releases, exits 0.
 *
 * The parent is watched because a signal does not always reach this process: `npm start` runs
 * it under the launcher and tsx's CLI, and when one of those is killed outright this process
 * is adopted by init and would go on serving with nobody to stop it.
 */
export function stopGracefully({ server, logger, release, beforeClose }: ShutdownOptions): void {
  let stopping = false;
  const stop = (cause: { signal: string } | { reason: string }) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: "shutdown", ...cause });
    // Streams never finish on their own: each gets `event: shutdown` and ends now.
    beforeClose?.();
    const force = setTimeout(() => {
      logger.warn({ event: "shutdown_forced", after_ms: GRACE_MS });
      if ("closeAllConnections" in server) server.closeAllConnections();
    }, GRACE_MS);
    force.unref();
    // Keep-alive sockets turn idle as their last response ends; close them as they do, so
    // clients are not left waiting for the keep-alive timeout.
    const reapIdle = setInterval(() => {
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    }, 50);
    // close() stops accepting and calls back once in-flight requests have finished.
    server.close(() => {
      clearTimeout(force);
      clearInterval(reapIdle);
      void release().finally(() => process.exit(0));
    });
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    process.on(signal, () => stop({ signal }));
  watchParent(() => stop({ reason: "parent_exited" }));
}

/** Calls `onGone` once when the parent process is gone. */
function watchParent(onGone: () => void): void {
  // A parent that spoke IPC to us closes the channel when it dies, at once.
  if (process.channel) {
    process.once("disconnect", onGone);
    return;
  }
  // Otherwise a dead parent shows as a new ppid: init's or a subreaper's, which adopted us.
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_POLL_MS);
  timer.unref(); // the watch alone never keeps the process alive
}

import type { ServerResponse } from "node:http";
import { constants } from "node:os";
import type { ServerType } from "@hono/node-server";
import type { Logger } from "../../core/logger.js";

/** How long in-flight requests may take to finish after a stop before their sockets close. */
const GRACE_MS = 10_000;
/** What releasing (the upstream pool, the read-marker store) may add after the grace. */
const RELEASE_MS = 1000;
/** A signal repeated within this is the same stop: `npm start`'s npm, launcher and tsx CLI each
 * pass one signal on, and a terminal's Ctrl-C reaches all of them at once. */
const REPEAT_MS = 500;
/** How often the parent is looked at when there is no IPC channel to watch. */
const PARENT_POLL_MS = 500;

export interface ShutdownOptions {
  server: ServerType;
  logger: Logger;
  /** Releases what the server used (the upstream pool); runs once the server has closed, and
   * is not waited for beyond a second. */
  release: () => Promise<void>;
  /** Ends what would hold the server open forever (the live streams), before it closes. */
  beforeClose?: () => void;
  /** How long the oldest call waiting in libuv's thread pool has waited, in ms, where the
   * runtime tracks it (the local scanner's file-system calls). */
  oldestPoolCallMs?: () => number;
  /** Stop, as on SIGTERM, when the parent process is gone: only for the `npm start` launcher's
   * own child (DESIGN §11), whose parent is npm or the launcher. */
  watchParent?: boolean;
}

/** A call waiting this long in the thread pool is taken for stuck (a hung file system). */
const STUCK_POOL_CALL_MS = 1000;

/** Whether `work` settled within `ms`. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void work
      .then(
        () => resolve(true),
        () => resolve(true),
      )
      .finally(() => clearTimeout(timer));
  });
}

/**
 * Stops the server gracefully, once, on SIGTERM, SIGINT or SIGHUP, or (with `watchParent`) when
 * the process that started it is gone: stops accepting, closes keep-alive sockets as they turn
 * idle, lets in-flight requests finish (up to 10 s, then closes their sockets), releases (at
 * most 1 s more), and exits 0 when every request finished, 1 when some had to be cut (logged).
 * A second signal, later than a relayed repeat of the first, exits at once with 128 + its number.
 *
 * `npm start` watches the parent because a signal does not always reach this process: when npm
 * or the launcher above it is killed outright, it is adopted by init and would go on serving
 * with nobody to stop it. Any other start does not: a gateway started with `nohup … &`, or by a
 * script that backgrounds it, is meant to outlive its shell.
 */
export function stopGracefully({
  server,
  logger,
  release,
  beforeClose,
  oldestPoolCallMs = () => 0,
  watchParent: watch = false,
}: ShutdownOptions): void {
  /**
   * Exits with `code` — unless a thread of libuv's pool is stuck in a system call: the exit
   * itself would then wait for it forever (libuv joins its threads as the process ends; seen
   * with an open() of a FIFO that never gets a writer), so the process kills itself instead.
   */
  const exit = (code: number) => {
    const waited = oldestPoolCallMs();
    if (waited < STUCK_POOL_CALL_MS) process.exit(code);
    logger.error({ event: "shutdown_pool_stuck", waited_ms: Math.round(waited), exit: "SIGKILL" });
    process.kill(process.pid, "SIGKILL");
  };
  let inFlight = 0;
  server.on("request", (_request: unknown, response: ServerResponse) => {
    inFlight++;
    response.once("close", () => inFlight--);
  });
  let stoppedAt: number | null = null;
  const stop = (cause: { signal: NodeJS.Signals } | { reason: string }) => {
    if (stoppedAt !== null) {
      if ("signal" in cause && Date.now() - stoppedAt >= REPEAT_MS) {
        logger.warn({ event: "shutdown_interrupted", signal: cause.signal, in_flight: inFlight });
        exit(128 + (constants.signals[cause.signal] ?? 0));
      }
      return;
    }
    stoppedAt = Date.now();
    logger.info({ event: "shutdown", ...cause });
    // Streams never finish on their own: each gets `event: shutdown` and ends now.
    beforeClose?.();
    let cut = 0;
    const force = setTimeout(() => {
      cut = inFlight;
      logger.warn({ event: "shutdown_forced", after_ms: GRACE_MS, requests_cut: cut });
      if ("closeAllConnections" in server) server.closeAllConnections();
    }, GRACE_MS);
    force.unref();
    // The last word: nothing outlives the grace by more than RELEASE_MS, whatever is pending.
    const overrun = setTimeout(() => {
      logger.error({ event: "shutdown_overrun", after_ms: GRACE_MS + RELEASE_MS });
      exit(1);
    }, GRACE_MS + RELEASE_MS);
    overrun.unref();
    // Keep-alive sockets turn idle as their last response ends; close them as they do, so
    // clients are not left waiting for the keep-alive timeout.
    const reapIdle = setInterval(() => {
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    }, 50);
    // close() stops accepting and calls back once in-flight requests have finished.
    server.close(() => {
      clearTimeout(force);
      clearInterval(reapIdle);
      // Pooled upstream sockets of cut requests (or background refreshes) may still be busy;
      // they are not waited for past the bound.
      const left = (stoppedAt as number) + GRACE_MS + RELEASE_MS - Date.now();
      void settlesWithin(release(), Math.max(0, Math.min(RELEASE_MS, left))).then((released) => {
        if (!released) logger.warn({ event: "shutdown_release_cut" });
        exit(cut > 0 ? 1 : 0);
      });
    });
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    process.on(signal, () => stop({ signal }));
  if (watch) watchParent(() => stop({ reason: "parent_exited" }));
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

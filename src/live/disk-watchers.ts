import type { Logger } from "../core/logger.js";
import type { Timers } from "./feed.js";

/** Watches one directory's entries (and their contents' changes), calling `onChange` with the
 * path that changed (an entry of the directory, or the directory itself when the event names
 * none); null when it cannot (the directory is missing); throws when the system has no watch
 * left to give (inotify's limits). `onGone` is called if the watch ends by itself (the
 * directory was removed). The Node entry implements it with fs.watch. */
export type WatchDir = (
  dir: string,
  onChange: (path: string) => void,
  onGone: () => void,
) => (() => void) | null;

export interface DiskWatchersOptions {
  watch: WatchDir;
  /** Directories watched at most in the whole process, and for any one feed. */
  maxDirs: number;
  maxDirsPerFeed: number;
  /** Events closer together than this make one change... */
  debounceMs: number;
  /** ...but a burst that goes on is reported this long after its first event, and again as
   * long as it lasts, so a file written many times a second shows while it is written. */
  maxWaitMs?: number;
  /** Hears every event as it comes, with the path it names: what was read from that path is
   * invalidated at once (the local scanner's), before the change is reported. */
  onEvent?: (path: string) => void;
  timers: Timers;
  /** Hears when directories go unwatched (a budget reached, the system's watches exhausted):
   * their changes then arrive with the refresh loop only, which an operator should know. */
  logger?: Logger;
}

/**
 * The disk watchers of the live feeds (DESIGN §9): one watch per directory however many feeds
 * need it, closed with its last feed; a burst of events is one change per feed, `debounceMs`
 * after the last. Bounded: past the limits, directories are not watched (their changes still
 * arrive with the refresh loop).
 */
export function createDiskWatchers(options: DiskWatchersOptions) {
  const watched = new Map<string, { close: () => void; listeners: Set<() => void> }>();
  /** The reason last logged for directories left unwatched: said once until it clears. */
  let shortfall: string | null = null;

  function reportShortfall(reason: string | null, unwatched: number): void {
    if (reason === shortfall) return;
    shortfall = reason;
    if (reason === null) options.logger?.info({ event: "disk_watch_recovered" });
    else
      options.logger?.warn({
        event: "disk_watch_unavailable",
        reason,
        unwatched,
        watched: watched.size,
        fallback: "refresh loop",
      });
  }

  /** Watches `dirs` for one feed; returns the function that stops it. */
  function subscribe(dirs: readonly string[], onChange: () => void): () => void {
    let timer: unknown;
    let deadline: unknown;
    const fire = () => {
      options.timers.clearTimeout(timer);
      options.timers.clearTimeout(deadline);
      timer = undefined;
      deadline = undefined;
      onChange();
    };
    const listener = () => {
      options.timers.clearTimeout(timer);
      timer = options.timers.setTimeout(fire, options.debounceMs);
      deadline ??= options.timers.setTimeout(fire, options.maxWaitMs ?? options.debounceMs * 4);
    };
    const taken: string[] = [];
    const wanted = new Set(dirs);
    let reason: string | null = null;
    for (const dir of wanted) {
      if (taken.length >= options.maxDirsPerFeed) {
        reason = `a feed watches ${options.maxDirsPerFeed} directories at most`;
        break;
      }
      let entry = watched.get(dir);
      if (entry === undefined) {
        if (watched.size >= options.maxDirs) {
          reason = `the process watches ${options.maxDirs} directories at most`;
          continue;
        }
        const listeners = new Set<() => void>();
        const notify = (path: string = dir) => {
          options.onEvent?.(path);
          for (const each of listeners) each();
        };
        // A watch that ended by itself is forgotten, so the next watch of the folder (its feed
        // watches again after every change) starts a new one.
        let close: (() => void) | null;
        try {
          close = options.watch(dir, notify, () => {
            if (watched.get(dir)?.listeners === listeners) watched.delete(dir);
            notify(dir);
          });
        } catch (error) {
          reason = `the system refused a watch (${(error as { code?: string }).code ?? String(error)})`;
          continue;
        }
        if (close === null) continue;
        entry = { close, listeners };
        watched.set(dir, entry);
      }
      entry.listeners.add(listener);
      taken.push(dir);
    }
    reportShortfall(reason, reason === null ? 0 : wanted.size - taken.length);
    return () => {
      options.timers.clearTimeout(timer);
      options.timers.clearTimeout(deadline);
      for (const dir of taken) {
        const entry = watched.get(dir);
        if (entry === undefined) continue;
        entry.listeners.delete(listener);
        if (entry.listeners.size === 0) {
          entry.close();
          watched.delete(dir);
        }
      }
    };
  }

  return { subscribe, size: () => watched.size };
}

export type DiskWatchers = ReturnType<typeof createDiskWatchers>;

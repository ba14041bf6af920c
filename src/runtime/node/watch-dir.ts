import { watch } from "node:fs";
import type { WatchDir } from "../../live/disk-watchers.js";

/**
 * fs.watch on one directory (inotify on Linux: entries added, removed, renamed, and files in it
 * written). Not persistent, so a watcher never keeps the process alive; an error (the directory
 * removed) closes it and says so, and the directory is watched again once it is back. A
 * directory that is not there is null; the system out of watches (ENOSPC: inotify's
 * max_user_watches; EMFILE: its max_user_instances) is thrown, for the caller to report.
 */
export const watchDir: WatchDir = (dir, onChange, onGone) => {
  try {
    const watcher = watch(dir, { persistent: false }, (_event, name) =>
      onChange(typeof name === "string" && name !== "" ? `${dir}/${name}` : dir),
    );
    watcher.on("error", () => {
      watcher.close();
      onGone();
    });
    return () => watcher.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOSPC" || code === "EMFILE" || code === "ENFILE") throw error;
    return null;
  }
};

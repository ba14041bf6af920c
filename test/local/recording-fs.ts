import { nodeFs } from "../../src/runtime/node/node-fs.js";
import type { LocalFs } from "../../src/sources/local/local-fs.js";

export interface Recorded {
  method: keyof LocalFs;
  path: string;
  /** readRange only: where the read began. */
  start?: number;
  /** readDir only: the most entries asked for. */
  maxEntries?: number;
}

/**
 * The real file system, recording every call. Listing a directory or reading a file is a read;
 * lstat and realpath only look at a path.
 */
export function recordingFs() {
  const calls: Recorded[] = [];
  const fs: LocalFs = {
    readDir(path, maxEntries) {
      calls.push({ method: "readDir", path, ...(maxEntries === undefined ? {} : { maxEntries }) });
      return nodeFs.readDir(path, maxEntries);
    },
    stat(path) {
      calls.push({ method: "stat", path });
      return nodeFs.stat(path);
    },
    realPath(path) {
      calls.push({ method: "realPath", path });
      return nodeFs.realPath(path);
    },
    readHead(path, maxBytes, firstLineOnly) {
      calls.push({ method: "readHead", path });
      return nodeFs.readHead(path, maxBytes, firstLineOnly);
    },
    readRange(path, start, maxBytes) {
      calls.push({ method: "readRange", path, start });
      return nodeFs.readRange(path, start, maxBytes);
    },
  };
  const isRead = (call: Recorded) =>
    call.method === "readDir" || call.method === "readHead" || call.method === "readRange";
  return {
    fs,
    calls,
    /** Paths listed or read since the last `reset()`. */
    reads: () => calls.filter(isRead).map((call) => call.path),
    /** Files read (not directories listed) since the last `reset()`. */
    filesRead: () => calls.filter((c) => c.method === "readHead" || c.method === "readRange"),
    reset: () => calls.splice(0),
  };
}

/**
 * The little of a file system the local sources need. The Node entry passes in an
 * implementation over node:fs; tests pass in their own. Paths are absolute POSIX paths.
 * Every method answers null (never throws) for a path that is missing or unreadable.
 */
export interface LocalFs {
  /** Entries of a directory, with the kind each has itself (a symlink is "symlink"); at most
   * `maxEntries` of them when given, read no further than that (a folder of millions of
   * entries costs what its first `maxEntries` do). */
  readDir(path: string, maxEntries?: number): Promise<DirEntry[] | null>;
  /** lstat: the path itself, not what a symlink points at. */
  stat(path: string): Promise<FileStat | null>;
  /** The canonical path with every symlink resolved. */
  realPath(path: string): Promise<string | null>;
  /** At most `maxBytes` from the start of a file, as UTF-8; only its first line when asked. */
  readHead(path: string, maxBytes: number, firstLineOnly?: boolean): Promise<string | null>;
  /** At most `maxBytes` raw bytes starting at byte `start` (fewer at the end of the file). Bytes,
   * not text: a range may start or end inside a UTF-8 character, and callers that resume where
   * they stopped need exact byte offsets. */
  readRange(path: string, start: number, maxBytes: number): Promise<Uint8Array | null>;
}

export interface DirEntry {
  name: string;
  kind: "file" | "dir" | "symlink" | "other";
}

export interface FileStat {
  kind: "file" | "dir" | "symlink" | "other";
  mtimeMs: number;
  size: number;
  /** What the file is, whatever path names it (device and inode on Node): caches keyed by it
   * hold one entry for every hard link and symlinked name of one file. */
  id?: string;
}

export function joinPath(...parts: string[]): string {
  return parts.join("/").replace(/\/{2,}/g, "/");
}

/** Whether `path` is `root` or inside it (both canonical). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

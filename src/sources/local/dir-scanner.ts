import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import { type DirEntry, isInside, joinPath, type LocalFs } from "./local-fs.js";

export interface ScanLimits {
  /** Directory entries looked at in one scan, across every directory it lists. */
  maxFilesPerScan: number;
  /** Bytes read from any one file. */
  maxBytesPerFile: number;
  /** How long a summary of an unchanged directory's files is reused before its files are
   * looked at again (appends change a file's time, not its directory's). */
  fileRefreshMs: number;
}

/** What a scan cost, for logs and the benchmark. */
export interface ScanCounters {
  dirsListed: number;
  dirsReused: number;
  filesRead: number;
  filesReused: number;
  summariesReused: number;
  stats: number;
}

interface CachedDir {
  mtimeMs: number;
  entries: DirEntry[];
}

interface CachedHead {
  mtimeMs: number;
  size: number;
  text: string | null;
}

/**
 * Directory listings and file heads, cached across requests: a directory is listed again only
 * when its modification time changed, a file read again only when its size or time changed.
 * Every path is confined to a root: a symlink whose target leaves the root is skipped.
 */
export function createDirScanner(
  fs: LocalFs,
  clock: Clock,
  memory = { maxDirs: 20_000, maxFiles: 100_000 },
) {
  const summaries = new LRUCache<string, { dirMtimeMs: number; at: number; value: unknown }>({
    max: memory.maxDirs,
  });
  const dirs = new LRUCache<string, CachedDir>({ max: memory.maxDirs });
  const heads = new LRUCache<string, CachedHead>({ max: memory.maxFiles });

  /** One scan: its own limits and counters, sharing the caches. */
  function scan(limits: ScanLimits) {
    const counters: ScanCounters = {
      dirsListed: 0,
      dirsReused: 0,
      filesRead: 0,
      filesReused: 0,
      summariesReused: 0,
      stats: 0,
    };
    let budget = limits.maxFilesPerScan;

    async function stat(path: string) {
      counters.stats++;
      return fs.stat(path);
    }

    /** The canonical form of a root directory, resolved afresh (a symlink may be repointed). */
    function root(path: string): Promise<string | null> {
      return fs.realPath(path);
    }

    /**
     * Entries of `dir` (which must resolve inside `rootReal`) as they are after following
     * symlinks that stay inside the root; others are dropped. Null when unreadable.
     */
    async function list(dir: string, rootReal: string): Promise<DirEntry[] | null> {
      const info = await stat(dir);
      if (info === null) return null;
      if (info.kind === "symlink") {
        const real = await fs.realPath(dir);
        if (real === null || !isInside(real, rootReal)) return null;
      } else if (info.kind !== "dir") return null;
      let cached = dirs.get(dir);
      if (cached !== undefined && cached.mtimeMs === info.mtimeMs) counters.dirsReused++;
      else {
        const entries = await fs.readDir(dir);
        counters.dirsListed++;
        if (entries === null) return null;
        cached = { mtimeMs: info.mtimeMs, entries: await resolveLinks(dir, entries, rootReal) };
        dirs.set(dir, cached);
      }
      const allowed = Math.max(0, Math.min(cached.entries.length, budget));
      budget -= allowed;
      return cached.entries.slice(0, allowed);
    }

    async function resolveLinks(
      dir: string,
      entries: DirEntry[],
      rootReal: string,
    ): Promise<DirEntry[]> {
      const resolved: DirEntry[] = [];
      for (const entry of entries) {
        if (entry.kind !== "symlink") {
          resolved.push(entry);
          continue;
        }
        const real = await fs.realPath(joinPath(dir, entry.name));
        if (real === null || !isInside(real, rootReal)) continue;
        const target = await fs.stat(real);
        if (target?.kind === "file" || target?.kind === "dir")
          resolved.push({ name: entry.name, kind: target.kind });
      }
      return resolved;
    }

    /** Size and time of a file (following a symlink only inside the root); null otherwise. */
    async function fileInfo(path: string, rootReal: string) {
      let info = await stat(path);
      if (info?.kind === "symlink") {
        const real = await fs.realPath(path);
        if (real === null || !isInside(real, rootReal)) return null;
        info = await stat(real);
      }
      return info?.kind === "file" ? info : null;
    }

    /**
     * The first `maxBytesPerFile` bytes (or first line) of a file, re-read only when its size or
     * time changed — or never again when `immutableHead` (a file only ever appended to).
     */
    async function head(
      path: string,
      rootReal: string,
      options: { immutableHead?: boolean; firstLineOnly?: boolean } = {},
    ): Promise<string | null> {
      const { immutableHead = false, firstLineOnly = false } = options;
      const cached = heads.get(path);
      // A file whose start never changes needs no stat once read: its listing proves it exists.
      if (cached !== undefined && immutableHead) {
        counters.filesReused++;
        return cached.text;
      }
      const info = await fileInfo(path, rootReal);
      if (info === null) return null;
      if (cached !== undefined && cached.mtimeMs === info.mtimeMs && cached.size === info.size) {
        counters.filesReused++;
        return cached.text;
      }
      const text = await fs.readHead(path, limits.maxBytesPerFile, firstLineOnly);
      counters.filesRead++;
      heads.set(path, { mtimeMs: info.mtimeMs, size: info.size, text });
      return text;
    }

    /** What a path is once symlinks are followed (anywhere: used only for existence checks of
     * binaries and config directories, never to read). */
    async function fileInfoAny(path: string): Promise<"file" | "dir" | null> {
      let info = await stat(path);
      if (info?.kind === "symlink") {
        const real = await fs.realPath(path);
        info = real === null ? null : await stat(real);
      }
      return info?.kind === "file" || info?.kind === "dir" ? info.kind : null;
    }

    /**
     * A value computed from a directory's files (a session count, say), reused while the
     * directory is unchanged and for at most `fileRefreshMs`: files appended to in place do not
     * change their directory's time, so their times are looked at again after that long.
     */
    async function summarize<T>(dir: string, tag: string, compute: () => Promise<T>): Promise<T> {
      const info = await stat(dir);
      const key = `${tag}\0${dir}`;
      const cached = summaries.get(key);
      if (
        info !== null &&
        cached !== undefined &&
        cached.dirMtimeMs === info.mtimeMs &&
        clock.now() - cached.at < limits.fileRefreshMs
      ) {
        counters.summariesReused++;
        return cached.value as T;
      }
      const value = await compute();
      if (info !== null) summaries.set(key, { dirMtimeMs: info.mtimeMs, at: clock.now(), value });
      return value;
    }

    return {
      root,
      list,
      fileInfo,
      fileInfoAny,
      head,
      summarize,
      counters,
    };
  }

  return { scan };
}

export type DirScanner = ReturnType<typeof createDirScanner>;
export type Scan = ReturnType<DirScanner["scan"]>;

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
  /** The listing as read, at most maxFilesPerScan entries: symlinks unresolved. */
  entries: DirEntry[];
  /** Whether `entries` is the whole directory (it was not cut at the bound). */
  complete: boolean;
  /** Symlinked entries resolved so far, for `root`: what each is, or null when skipped. */
  resolved: Map<string, "file" | "dir" | null>;
  root: string;
}

interface CachedHead {
  mtimeMs: number;
  size: number;
  text: string | null;
}

/** How much memory the scan caches may hold in all (DESIGN §2: reads are bounded; so is what
 * is kept of them). Bytes are estimated: two per character, plus each entry's overhead. */
export interface ScanMemory {
  /** Directory listings. */
  dirBytes: number;
  /** File heads (the text parsed, up to maxBytesPerFile each). */
  headBytes: number;
  /** Summaries of directories (counts and times). */
  summaryEntries: number;
}

/** Notes joined as a source's one `note`; null when there is none. */
export function joinNotes(...notes: Array<string | null>): string | null {
  const present = notes.filter((note): note is string => note !== null);
  return present.length === 0 ? null : present.join("; ");
}

export const DEFAULT_SCAN_MEMORY: ScanMemory = {
  dirBytes: 16 * 1024 * 1024,
  headBytes: 32 * 1024 * 1024,
  summaryEntries: 20_000,
};

const ENTRY_OVERHEAD_BYTES = 64;

/** What was left unread because a scan reached maxFilesPerScan. */
interface Cut {
  folders: number;
  first: string | null;
}

/**
 * Directory listings and file heads, cached across requests: a directory is listed again only
 * when its modification time changed, a file read again only when its size or time changed.
 * Both caches are keyed by what a directory or file is (device and inode), not by the path that
 * reached it, so the symlinked names and hard links of one folder or file are held once; and
 * both are bounded in bytes. Every path is confined to a root: a symlink whose target leaves the
 * root is skipped.
 */
export function createDirScanner(fs: LocalFs, clock: Clock, memory = DEFAULT_SCAN_MEMORY) {
  const summaries = new LRUCache<string, { dirMtimeMs: number; at: number; value: unknown }>({
    max: memory.summaryEntries,
    // A summary is a few numbers; its key holds a path of up to 4096 characters.
    maxSize: memory.dirBytes / 2,
    sizeCalculation: (_value, key) => 4 * ENTRY_OVERHEAD_BYTES + key.length * 2,
  });
  const dirs = new LRUCache<string, CachedDir>({
    maxSize: memory.dirBytes,
    sizeCalculation: (dir) =>
      ENTRY_OVERHEAD_BYTES +
      dir.entries.reduce((sum, entry) => sum + ENTRY_OVERHEAD_BYTES + entry.name.length * 2, 0),
  });
  const heads = new LRUCache<string, CachedHead>({
    maxSize: memory.headBytes,
    sizeCalculation: (head) => ENTRY_OVERHEAD_BYTES + (head.text?.length ?? 0) * 2,
  });
  /** For heads that never change (appended-to files): the path's key in `heads`, so a warm read
   * needs no stat. Paths only; the text stays in `heads`, under its bound. */
  const immutableHeads = new LRUCache<string, string>({
    maxSize: memory.dirBytes / 2,
    sizeCalculation: (key, path) => ENTRY_OVERHEAD_BYTES + (path.length + key.length) * 2,
  });

  /**
   * One scan: its own limits and counters, sharing the caches. `signal` ends it where it is
   * (the request it serves is gone, or out of time): every look at the disk checks it first.
   */
  function scan(limits: ScanLimits, signal?: AbortSignal) {
    const counters: ScanCounters = {
      dirsListed: 0,
      dirsReused: 0,
      filesRead: 0,
      filesReused: 0,
      summariesReused: 0,
      stats: 0,
    };
    let budget = limits.maxFilesPerScan;
    const cut: Cut = { folders: 0, first: null };

    async function stat(path: string) {
      signal?.throwIfAborted();
      counters.stats++;
      return fs.stat(path);
    }

    /** The canonical form of a root directory, resolved afresh (a symlink may be repointed). */
    function root(path: string): Promise<string | null> {
      return fs.realPath(path);
    }

    /**
     * Entries of `dir` (which must resolve inside `rootReal`) as they are after following
     * symlinks that stay inside the root; others are dropped. Null when unreadable. The scan's
     * budget (maxFilesPerScan) is spent on the listing before any per-entry work: the entries
     * past it are neither resolved nor returned, and the scan's note names the folder.
     */
    async function list(dir: string, rootReal: string): Promise<DirEntry[] | null> {
      let info = await stat(dir);
      if (info === null) return null;
      if (info.kind === "symlink") {
        const real = await fs.realPath(dir);
        if (real === null || !isInside(real, rootReal)) return null;
        info = await stat(real);
        if (info === null) return null;
      }
      if (info.kind !== "dir") return null;
      const key = info.id ?? dir;
      let cached = dirs.get(key);
      if (cached !== undefined && cached.mtimeMs === info.mtimeMs) counters.dirsReused++;
      else {
        signal?.throwIfAborted();
        // No scan may look at more than maxFilesPerScan entries: no more are read (one more,
        // to know whether there are more).
        const bound = limits.maxFilesPerScan;
        const entries = await fs.readDir(dir, bound + 1);
        counters.dirsListed++;
        if (entries === null) return null;
        cached = {
          mtimeMs: info.mtimeMs,
          entries: entries.slice(0, bound),
          complete: entries.length <= bound,
          resolved: new Map(),
          root: rootReal,
        };
        dirs.set(key, cached);
      }
      if (cached.root !== rootReal) {
        cached.resolved = new Map();
        cached.root = rootReal;
      }
      const allowed = Math.max(0, Math.min(cached.entries.length, budget));
      budget -= allowed;
      if (allowed < cached.entries.length || !cached.complete) {
        cut.folders++;
        cut.first ??= dir;
      }
      return resolveLinks(dir, cached, allowed);
    }

    /** The first `count` entries of a listing, symlinks followed where they stay in the root. */
    async function resolveLinks(dir: string, cached: CachedDir, count: number) {
      const resolved: DirEntry[] = [];
      for (let index = 0; index < count; index++) {
        const entry = cached.entries[index] as DirEntry;
        if (entry.kind !== "symlink") {
          resolved.push(entry);
          continue;
        }
        let kind = cached.resolved.get(entry.name);
        if (kind === undefined) {
          signal?.throwIfAborted();
          const real = await fs.realPath(joinPath(dir, entry.name));
          const target = real === null || !isInside(real, cached.root) ? null : await fs.stat(real);
          kind = target?.kind === "file" || target?.kind === "dir" ? target.kind : null;
          cached.resolved.set(entry.name, kind);
        }
        if (kind !== null) resolved.push({ name: entry.name, kind });
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
      // A file whose start never changes needs no stat once read: its listing proves it exists.
      const known = immutableHead ? immutableHeads.get(path) : undefined;
      if (known !== undefined) {
        const cached = heads.get(known);
        if (cached !== undefined) {
          counters.filesReused++;
          return cached.text;
        }
      }
      const info = await fileInfo(path, rootReal);
      if (info === null) return null;
      const key = `${info.id ?? path}\0${info.size}\0${info.mtimeMs}\0${firstLineOnly ? 1 : 0}`;
      const cached = heads.get(key);
      if (cached !== undefined) {
        counters.filesReused++;
        if (immutableHead) immutableHeads.set(path, key);
        return cached.text;
      }
      signal?.throwIfAborted();
      // Concurrent scans that need one file (requests for many names of one folder) read it once.
      let pending = reading.get(key);
      if (pending === undefined) {
        counters.filesRead++;
        pending = fs.readHead(path, limits.maxBytesPerFile, firstLineOnly).then((text) => {
          heads.set(key, { mtimeMs: info.mtimeMs, size: info.size, text });
          return text;
        });
        const settled = pending.finally(() => reading.delete(key));
        settled.catch(() => {});
        reading.set(key, pending);
      } else counters.filesReused++;
      const text = await pending;
      if (immutableHead) immutableHeads.set(path, key);
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
      const generation = invalidations;
      const value = await compute();
      summaryTags.add(tag);
      // A change reported while counting may have come after the count read that file: the
      // count is used once, not kept.
      if (info !== null && generation === invalidations)
        summaries.set(key, { dirMtimeMs: info.mtimeMs, at: clock.now(), value });
      return value;
    }

    /** What the source's note says when the scan stopped at maxFilesPerScan; null otherwise. */
    function cutNote(): string | null {
      if (cut.first === null) return null;
      const folders = cut.folders === 1 ? "1 folder" : `${cut.folders} folders`;
      return `maxFilesPerScan (${limits.maxFilesPerScan}) reached: ${folders} not read in full, first ${cut.first}`;
    }

    return {
      root,
      list,
      fileInfo,
      fileInfoAny,
      head,
      summarize,
      counters,
      cutNote,
    };
  }

  /** File heads being read now, by their key in `heads`. */
  const reading = new Map<string, Promise<string | null>>();
  /** The tags summaries were made under (a handful: one per kind of count). */
  const summaryTags = new Set<string>();
  let invalidations = 0;

  /**
   * `path` changed (a disk watch said so): every summary over it or over a folder that holds
   * it is dropped, so the next scan counts again what changed — and only that: the listings
   * and file heads stay, checked as ever by their times and sizes.
   */
  function invalidate(path: string): void {
    invalidations++;
    for (let dir = path; dir.length > 1; dir = dir.slice(0, Math.max(1, dir.lastIndexOf("/")))) {
      for (const tag of summaryTags) summaries.delete(`${tag}\0${dir}`);
      if (!dir.includes("/", 1)) break;
    }
    immutableHeads.delete(path);
  }

  return { scan, invalidate };
}

export type DirScanner = ReturnType<typeof createDirScanner>;
export type Scan = ReturnType<DirScanner["scan"]>;

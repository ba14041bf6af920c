import { constants } from "node:fs";
import { type FileHandle, lstat, open, opendir, readdir, realpath } from "node:fs/promises";
import type { DirEntry, FileStat, LocalFs } from "../../sources/local/local-fs.js";

function kindOf(entry: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): DirEntry["kind"] {
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isFile()) return "file";
  return entry.isDirectory() ? "dir" : "other";
}

const CHUNK_BYTES = 16 * 1024;

/** When each file-system call in flight began (performance.now()), by call, oldest first. */
const inFlight = new Map<number, number>();
let calls = 0;

/** How long the oldest file-system call of the local scanner has been waiting, in ms (0 when
 * none is): a call stuck in a thread of libuv's pool would hold the process's exit forever,
 * since libuv joins its threads then (see shutdown.ts). */
export function oldestFsCallMs(): number {
  for (const started of inFlight.values()) return performance.now() - started;
  return 0;
}

async function tracked<T>(call: Promise<T>, id = calls++): Promise<T> {
  inFlight.set(id, performance.now());
  try {
    return await call;
  } finally {
    inFlight.delete(id);
  }
}

/**
 * Opens `path` for reading only if it is a regular file, and never blocks doing so: O_NONBLOCK,
 * so a FIFO swapped in after the scanner's lstat opens at once instead of holding a thread of
 * libuv's pool until a writer comes (four such opens would stall every file operation of the
 * process, shutdown included); O_NOFOLLOW, so a symlink swapped in is not followed out of the
 * directory the scanner confined the read to; then fstat of the descriptor held — not the
 * path, which may have changed again — and anything but a regular file is closed and refused.
 */
async function openRegularFile(path: string): Promise<FileHandle | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    if ((await handle.stat()).isFile()) return handle;
  } catch {
    // refused below
  }
  await handle.close();
  return null;
}

/** LocalFs over node:fs. Never follows a symlink itself: the scanner decides what to resolve. */
const direct: LocalFs = {
  async readDir(path, maxEntries) {
    try {
      if (maxEntries === undefined)
        return (await readdir(path, { withFileTypes: true })).map((entry) => ({
          name: entry.name,
          kind: kindOf(entry),
        }));
      // Read in batches and stopped at the bound: readdir() would read every entry first.
      const entries: DirEntry[] = [];
      const dir = await opendir(path, { bufferSize: 256 });
      try {
        for await (const entry of dir) {
          if (entries.length >= maxEntries) break;
          entries.push({ name: entry.name, kind: kindOf(entry) });
        }
      } finally {
        await dir.close().catch(() => {});
      }
      return entries;
    } catch {
      return null;
    }
  },
  async stat(path): Promise<FileStat | null> {
    try {
      const info = await lstat(path);
      return {
        kind: kindOf(info),
        mtimeMs: info.mtimeMs,
        size: info.size,
        id: `${info.dev}:${info.ino}`,
      };
    } catch {
      return null;
    }
  },
  async realPath(path) {
    try {
      return await realpath(path);
    } catch {
      return null;
    }
  },
  async readHead(path, maxBytes, firstLineOnly = false) {
    let handle: FileHandle | null = null;
    try {
      handle = await openRegularFile(path);
      if (handle === null) return null;
      const chunks: Buffer[] = [];
      let total = 0;
      while (total < maxBytes) {
        const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes - total));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        total += bytesRead;
        if (firstLineOnly && chunk.subarray(0, bytesRead).includes(10)) break;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      return firstLineOnly ? (text.split("\n", 1)[0] ?? "") : text;
    } catch {
      return null;
    } finally {
      await handle?.close();
    }
  },
  async readRange(path, start, maxBytes) {
    let handle: FileHandle | null = null;
    try {
      handle = await openRegularFile(path);
      if (handle === null) return null;
      const bytes = new Uint8Array(Math.max(0, maxBytes));
      let total = 0;
      // One read usually fills it; loop because a read may return less than asked.
      while (total < bytes.length) {
        const { bytesRead } = await handle.read(bytes, total, bytes.length - total, start + total);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      return bytes.subarray(0, total);
    } catch {
      return null;
    } finally {
      await handle?.close();
    }
  },
};

/** `direct`, each call counted while in flight (see oldestFsCallMs). */
export const nodeFs: LocalFs = {
  readDir: (path, maxEntries) => tracked(direct.readDir(path, maxEntries)),
  stat: (path) => tracked(direct.stat(path)),
  realPath: (path) => tracked(direct.realPath(path)),
  readHead: (path, maxBytes, firstLineOnly) =>
    tracked(direct.readHead(path, maxBytes, firstLineOnly)),
  readRange: (path, start, maxBytes) => tracked(direct.readRange(path, start, maxBytes)),
};

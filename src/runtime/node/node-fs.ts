import { lstat, open, readdir, realpath } from "node:fs/promises";
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

/** LocalFs over node:fs. Never follows a symlink itself: the scanner decides what to resolve. */
export const nodeFs: LocalFs = {
  async readDir(path) {
    try {
      return (await readdir(path, { withFileTypes: true })).map((entry) => ({
        name: entry.name,
        kind: kindOf(entry),
      }));
    } catch {
      return null;
    }
  },
  async stat(path): Promise<FileStat | null> {
    try {
      const info = await lstat(path);
      return { kind: kindOf(info), mtimeMs: info.mtimeMs, size: info.size };
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
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(path, "r");
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
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(path, "r");
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

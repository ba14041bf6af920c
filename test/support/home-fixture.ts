import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A temporary directory tree, with helpers to write files at given modification times. */
export function tempTree(prefix = "chat-list-home-") {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const write = (relative: string, content: string, mtime?: string) => {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    if (mtime !== undefined) utimesSync(path, new Date(mtime), new Date(mtime));
    return path;
  };
  const link = (relative: string, target: string) => {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(target, path);
  };
  const dir = (relative: string) => {
    const path = join(root, relative);
    mkdirSync(path, { recursive: true });
    return path;
  };
  return { root, write, link, dir, path: (relative: string) => join(root, relative) };
}

export const claudeDir = (workspace: string) => workspace.replace(/[^A-Za-z0-9]/g, "-");
export const geminiHash = (workspace: string) =>
  createHash("sha256").update(workspace).digest("hex");
export const codexFirstLine = (cwd: string) =>
  `${JSON.stringify({ timestamp: "2026-11-01T00:00:00Z", type: "session_meta", payload: { id: "x", cwd } })}\n`;

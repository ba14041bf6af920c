/**
 * Workspace paths arrive from clients and become cache keys and upstream query values, so one
 * workspace must have exactly one spelling. Both POSIX ("/home/ana/proj") and Windows drive
 * ("C:\\Users\\ana\\proj") absolute paths are accepted, since desktop gateways run on both.
 */
export const MAX_WORKSPACE_PATH_LENGTH = 4096;

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

export type WorkspacePathCheck = { ok: true; path: string } | { ok: false; reason: string };

/** Lexically normalizes an absolute path: collapses separators, resolves "." and "..", drops a
 * trailing separator. It never touches the disk. */
export function normalizeWorkspacePath(raw: string): WorkspacePathCheck {
  if (raw.length === 0) return { ok: false, reason: "must not be empty" };
  if (raw.length > MAX_WORKSPACE_PATH_LENGTH)
    return { ok: false, reason: `must be at most ${MAX_WORKSPACE_PATH_LENGTH} characters` };
  if (raw.includes("\0")) return { ok: false, reason: "must not contain NUL" };
  const windows = WINDOWS_DRIVE.test(raw);
  if (!windows && !raw.startsWith("/")) return { ok: false, reason: "must be an absolute path" };
  const separator = windows ? "\\" : "/";
  const root = windows ? `${raw.slice(0, 2).toUpperCase()}\\` : "/";
  const segments: string[] = [];
  for (const segment of raw.slice(root.length).split(windows ? /[\\/]+/ : /\/+/)) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return { ok: true, path: root + segments.join(separator) };
}

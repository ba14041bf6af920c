import type { Scan } from "./dir-scanner.js";
import { isInside, joinPath } from "./local-fs.js";

/** A workspace's `.viben/<folder>`, as far as the gateway may read it. */
export type WorkspaceFolder =
  | { status: "found"; dir: string; rootReal: string }
  | { status: "absent" }
  | { status: "refused"; reason: string };

/**
 * Finds `<workspace>/.viben/<folder>` for reading. Any workspace may be read unless
 * `workspaceRoots` is given, in which case it must lie inside one of them (compared after
 * resolving symlinks); a refusal says why, so the source can say so in its note. The folder itself
 * must resolve inside the workspace: a `.viben` symlink pointing elsewhere is never followed.
 * Nor is a folder that is the global one (`globalDir`, e.g. with the home as workspace): what is
 * there is global whatever workspace names it, listed as such only with include_global.
 */
export async function workspaceFolder(
  scan: Scan,
  workspacePath: string,
  folder: string,
  workspaceRoots: readonly string[] | undefined,
  globalDir: string,
): Promise<WorkspaceFolder> {
  const workspaceReal = await scan.root(workspacePath);
  if (workspaceReal === null) return { status: "absent" };
  if (workspaceRoots !== undefined) {
    let allowed = false;
    for (const root of workspaceRoots) {
      const rootReal = await scan.root(root);
      if (rootReal !== null && isInside(workspaceReal, rootReal)) {
        allowed = true;
        break;
      }
    }
    if (!allowed) return { status: "refused", reason: "workspace outside workspaceRoots" };
  }
  const dir = joinPath(workspacePath, ".viben", folder);
  const dirReal = await scan.root(dir);
  if (dirReal === null || !isInside(dirReal, workspaceReal)) return { status: "absent" };
  if (dirReal === (await scan.root(globalDir))) return { status: "absent" };
  return { status: "found", dir, rootReal: dirReal };
}

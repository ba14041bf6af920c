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

/** One `.viben/<folder>` a request reads, and whose it is (null: the global one). */
export interface VibenFolder {
  dir: string;
  rootReal: string;
  workspacePath: string | null;
}

/**
 * The `.viben/<folder>` folders a query reads, global first (with include_global, under
 * `home`), then the workspace's own as workspaceFolder allows it; and why the workspace was
 * refused, when it was.
 */
export async function vibenFolders(
  scan: Scan,
  options: { home: string; folder: string; workspaceRoots: readonly string[] | undefined },
  query: { workspacePath: string | null; includeGlobal: boolean },
): Promise<{ folders: VibenFolder[]; refused: string | null }> {
  const folders: VibenFolder[] = [];
  const globalDir = joinPath(options.home, ".viben", options.folder);
  if (query.includeGlobal) {
    const rootReal = await scan.root(globalDir);
    if (rootReal !== null) folders.push({ dir: globalDir, rootReal, workspacePath: null });
  }
  let refused: string | null = null;
  if (query.workspacePath !== null) {
    const workspace = await workspaceFolder(
      scan,
      query.workspacePath,
      options.folder,
      options.workspaceRoots,
      globalDir,
    );
    if (workspace.status === "found")
      folders.push({
        dir: workspace.dir,
        rootReal: workspace.rootReal,
        workspacePath: query.workspacePath,
      });
    else if (workspace.status === "refused") refused = workspace.reason;
  }
  return { folders, refused };
}

import { sha256Hex } from "../../cache/cache-key.js";
import { dashedPath } from "./executor-stores.js";
import { joinPath } from "./local-fs.js";

/**
 * Where a new (or rewritten) session of an executor for a workspace shows up, for the live
 * feeds' disk watchers: the folder the tool writes it into and that folder's parents up to the
 * tool's store, so a workspace's first session (a new folder) is seen too. Without a workspace,
 * the store's top folders. The layouts are those read in executor-stores.ts.
 */
export function executorWatchDirs(
  storeId: string,
  root: string,
  workspacePath: string | null,
  today: Date,
): string[] {
  const dashed = workspacePath === null ? null : dashedPath(workspacePath);
  switch (storeId) {
    case "CLAUDE_CODE":
      return withWorkspace(joinPath(root, "projects"), dashed);
    case "QWEN_CODE":
      return dashed === null
        ? [joinPath(root, "projects")]
        : [
            joinPath(root, "projects"),
            joinPath(root, "projects", dashed),
            joinPath(root, "projects", dashed, "chats"),
          ];
    case "DROID":
      return withWorkspace(joinPath(root, "sessions"), dashed);
    case "GEMINI": {
      const tmp = joinPath(root, "tmp");
      if (workspacePath === null) return [tmp];
      const project = joinPath(tmp, sha256Hex(workspacePath));
      return [tmp, project, joinPath(project, "chats")];
    }
    case "CODEX": {
      // Rollouts go into today's folder (the tool's local date): watch it and its parents.
      const year = String(today.getFullYear());
      const month = String(today.getMonth() + 1).padStart(2, "0");
      const day = String(today.getDate()).padStart(2, "0");
      const sessions = joinPath(root, "sessions");
      return [
        sessions,
        joinPath(sessions, year),
        joinPath(sessions, year, month),
        joinPath(sessions, year, month, day),
      ];
    }
    case "COPILOT":
      return [joinPath(root, "session-state")];
    default:
      return [];
  }
}

function withWorkspace(base: string, dashed: string | null): string[] {
  return dashed === null ? [base] : [base, joinPath(base, dashed)];
}

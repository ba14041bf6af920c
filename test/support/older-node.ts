import { execFileSync } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * A node older than 22 on this machine (on PATH, or in /usr/bin or /usr/local/bin), for tests of
 * the launcher's path that fetches Node 22; undefined when there is none.
 */
export function olderNode(): { dir: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/bin", "/usr/bin"];
  for (const dir of new Set(dirs.filter(Boolean))) {
    const candidate = join(dir, "node");
    try {
      accessSync(candidate, constants.X_OK);
      if (realpathSync(candidate) === realpathSync(process.execPath)) continue;
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
      if (Number(/^v(\d+)\./.exec(version)?.[1]) < 22) return { dir, version };
    } catch {
      // none here, or one that does not run
    }
  }
  return undefined;
}

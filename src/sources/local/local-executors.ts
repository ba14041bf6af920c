import type { LocalExecutorsConfig } from "../../config/schema.js";
import type { ExecutorItem } from "../../core/items.js";
import { toIso } from "../../core/timestamps.js";
import { queryScopedSource, type Source, type SourceLoad } from "../source.js";
import type { DirScanner, Scan } from "./dir-scanner.js";
import { EXECUTOR_STORES, type ExecutorStore } from "./executor-stores.js";
import { executorWatchDirs } from "./executor-watch.js";
import { joinPath } from "./local-fs.js";
import { cachedYamlParse, parseYamlHere, type YamlParse } from "./yaml-text.js";

export interface LocalExecutorsDeps {
  scanner: DirScanner;
  home: string;
  pathDirs: string[];
  /** Environment variables the tools themselves read to move their roots (CODEX_HOME...). */
  toolEnv?: Record<string, string | undefined>;
  /** How YAML is parsed (on Node: off the event loop for long texts). */
  parseYaml?: YamlParse;
}

/**
 * The coding-agent CLIs installed on this machine — a binary on PATH, or its config directory
 * under home — with their sessions for the requested workspace, read from each tool's own
 * session store (see executor-stores.ts). Tools not installed are not listed.
 */
export function createLocalExecutorsSource(
  config: LocalExecutorsConfig,
  deps: LocalExecutorsDeps,
): Source {
  const home = config.home ?? deps.home;
  const searchPath = config.searchPath ?? deps.pathDirs;
  const parseYaml = cachedYamlParse(deps.parseYaml ?? parseYamlHere);

  /** The tool's root: where its own env var moves it (an absolute path), else under home. */
  const rootOf = (store: ExecutorStore) => {
    const moved = store.rootEnv === undefined ? undefined : deps.toolEnv?.[store.rootEnv];
    return moved?.startsWith("/") ? moved : joinPath(home, store.rootDir);
  };

  async function installed(scan: Scan, store: ExecutorStore): Promise<boolean> {
    if ((await scan.fileInfoAny(rootOf(store))) !== null) return true;
    for (const marker of store.markers)
      if ((await scan.fileInfoAny(joinPath(home, marker))) !== null) return true;
    for (const dir of searchPath)
      for (const binary of store.binaries)
        if ((await scan.fileInfoAny(joinPath(dir, binary))) === "file") return true;
    return false;
  }

  return queryScopedSource({
    name: config.name,
    kind: "local_executors",
    itemType: "executor",
    timeoutMs: config.timeoutMs,
    scopeOf: (query) => ({ workspace_path: query.workspacePath }),
    async load(query, { signal }): Promise<SourceLoad> {
      const scan = deps.scanner.scan(config, signal);
      // The stores side by side: each look at the disk is a round trip to the file-system
      // threads, and a store waits for none of another's. Items keep the stores' order.
      const found = await Promise.all(
        EXECUTOR_STORES.map(async (store): Promise<ExecutorItem | null> => {
          signal.throwIfAborted();
          if (!(await installed(scan, store))) return null;
          const sessions =
            store.sessions === null
              ? null
              : await store.sessions({
                  scan,
                  root: rootOf(store),
                  home,
                  workspacePath: query.workspacePath,
                  signal,
                  parseYaml,
                });
          return {
            id: store.id,
            type: "executor",
            item_type: "executor",
            icon_type: store.id,
            name: store.name,
            description: store.description,
            last_active: toIso(sessions?.lastActiveMs ?? null),
            source: "global",
            source_name: config.name,
            is_available: true,
            supports_mcp: store.supportsMcp,
            session_count: sessions?.count ?? null,
          };
        }),
      );
      const items = found.filter((item): item is ExecutorItem => item !== null);
      return { items, dropped: 0, cost: { ...scan.counters }, note: scan.cutNote() };
    },
    async watchDirs(query) {
      const scan = deps.scanner.scan(config);
      const dirs: string[] = [];
      for (const store of EXECUTOR_STORES)
        if (store.sessions !== null && (await installed(scan, store)))
          dirs.push(...executorWatchDirs(store.id, rootOf(store), query.workspacePath, new Date()));
      return dirs;
    },
  });
}

import type { SourceConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { UpstreamClient } from "../upstream/http-client.js";
import { createAgentStoreSource } from "./agent-store.js";
import { createExecutorRegistrySource } from "./executor-registry.js";
import { createDirScanner } from "./local/dir-scanner.js";
import { createLocalAgentsSource } from "./local/local-agents.js";
import { createLocalExecutorsSource } from "./local/local-executors.js";
import type { LocalFs } from "./local/local-fs.js";
import { createPortalSource } from "./portal/portal-source.js";
import type { Source } from "./source.js";

/** What the local (disk-reading) kinds need; only the Node entry provides it. */
export interface LocalDeps {
  fs: LocalFs;
  home: string;
  /** Directories searched for executor binaries (the gateway's PATH). */
  pathDirs: string[];
  /** Environment variables the CLIs read to move their roots (CLAUDE_CONFIG_DIR, CODEX_HOME...). */
  toolEnv?: Record<string, string | undefined>;
}

export interface SourceDeps {
  client: UpstreamClient;
  clock: Clock;
  logger: Logger;
  local?: LocalDeps;
}

/** One adapter per configured source, in config order. */
export function createSources(configs: readonly SourceConfig[], deps: SourceDeps): Source[] {
  // One scanner for every local source, so their caches of listings and file heads are shared.
  const scanner =
    deps.local === undefined ? undefined : createDirScanner(deps.local.fs, deps.clock);
  const local = () => {
    if (deps.local === undefined || scanner === undefined)
      throw new Error("local source kinds need the Node runtime's file system");
    return { ...deps.local, scanner, logger: deps.logger };
  };
  return configs.map((config) => {
    switch (config.kind) {
      case "portal":
        return createPortalSource(config, deps);
      case "executor_registry":
        return createExecutorRegistrySource(config, deps);
      case "agent_store":
        return createAgentStoreSource(config, deps);
      case "local_executors":
        return createLocalExecutorsSource(config, local());
      case "local_agents":
        return createLocalAgentsSource(config, local());
      default:
        throw new Error(`unknown source kind: ${(config as { kind: string }).kind}`);
    }
  });
}

import type { LocalSourceConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Source } from "../source.js";
import { createDirScanner } from "./dir-scanner.js";
import { createLocalAgentsSource } from "./local-agents.js";
import { createLocalExecutorsSource } from "./local-executors.js";
import type { LocalFs } from "./local-fs.js";
import { createLocalGroupChatsSource } from "./local-group-chats.js";
import type { YamlParse } from "./yaml-text.js";

export interface LocalEnvironment {
  fs: LocalFs;
  home: string;
  /** Directories searched for executor binaries (the gateway's PATH). */
  pathDirs: string[];
  /** Environment variables the CLIs read to move their roots (CLAUDE_CONFIG_DIR, CODEX_HOME...). */
  toolEnv?: Record<string, string | undefined>;
  /** How YAML from the disk is parsed: the Node entry's runs long texts off the event loop. */
  parseYaml?: YamlParse;
}

/** Builds local (disk-reading) sources. Only the Node entry creates one, so neither these
 * modules nor the yaml parser enter the Worker bundle. */
export interface LocalSourceFactory {
  create(config: LocalSourceConfig, deps: { clock: Clock; logger: Logger }): Source;
  /** A disk watch saw `path` change: what was read from it, or summarized over a folder that
   * holds it, is read again by the next scan (DESIGN §9). */
  invalidate(path: string): void;
}

export function createLocalSourceFactory(environment: LocalEnvironment): LocalSourceFactory {
  let scanner: ReturnType<typeof createDirScanner> | undefined;
  return {
    create(config, { clock, logger }) {
      // One scanner for every local source, so their caches of listings and file heads are shared.
      scanner ??= createDirScanner(environment.fs, clock);
      const deps = { ...environment, scanner, logger };
      switch (config.kind) {
        case "local_executors":
          return createLocalExecutorsSource(config, deps);
        case "local_agents":
          return createLocalAgentsSource(config, deps);
        case "local_group_chats":
          return createLocalGroupChatsSource(config, deps);
      }
    },
    invalidate(path) {
      scanner?.invalidate(path);
    },
  };
}

import { parse as parseYaml } from "yaml";
import type { LocalAgentsConfig } from "../../config/schema.js";
import type { AgentItem } from "../../core/items.js";
import type { Logger } from "../../core/logger.js";
import { newest, toEpochMs, toIso } from "../../core/timestamps.js";
import { queryScopedSource, type Source, type SourceLoad } from "../source.js";
import type { DirScanner, Scan } from "./dir-scanner.js";
import { joinPath } from "./local-fs.js";
import { vibenFolders } from "./workspace-access.js";

/*
 * Viben-layout agents on the local disk:
 *
 *   <home>/.viben/agents/<id>/config.yaml                  a global agent
 *   <workspace>/.viben/agents/<id>/config.yaml             a workspace agent
 *   <agent dir>/.agent_sessions/<session id>/config.yaml   one of its sessions, beside its
 *                                                          message logs
 *
 * An agent's config.yaml holds name, description, model and provider (or provider_id); a
 * session's holds created_at, updated_at and last_message_at. A file that is not valid YAML, or
 * not a mapping, drops its agent (logged), never the source.
 */

type Yaml = Record<string, unknown>;

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : null);

export interface LocalAgentsDeps {
  scanner: DirScanner;
  home: string;
  logger: Logger;
}

export function createLocalAgentsSource(config: LocalAgentsConfig, deps: LocalAgentsDeps): Source {
  const home = config.home ?? deps.home;
  const where = { home, folder: "agents", workspaceRoots: config.workspaceRoots };

  function readYaml(content: string | null, path: string): Yaml | null {
    if (content === null) return null;
    try {
      const value: unknown = parseYaml(content, { maxAliasCount: 50 });
      if (typeof value === "object" && value !== null && !Array.isArray(value))
        return value as Yaml;
    } catch {
      // reported below, like a YAML document that is not a mapping
    }
    deps.logger.warn({ event: "local_agent_config_invalid", source: config.name, path });
    return null;
  }

  /** Session count and last activity of one agent, from its .agent_sessions folder. */
  async function sessions(scan: Scan, agentDir: string, rootReal: string) {
    const sessionsDir = joinPath(agentDir, ".agent_sessions");
    const entries = (await scan.list(sessionsDir, rootReal)) ?? [];
    let count = 0;
    const times: (number | null)[] = [];
    for (const entry of entries) {
      if (entry.kind !== "dir") continue;
      const sessionDir = joinPath(sessionsDir, entry.name);
      const sessionYaml = readYaml(
        await scan.head(joinPath(sessionDir, "config.yaml"), rootReal),
        sessionDir,
      );
      if (sessionYaml === null) continue;
      count++;
      const declared =
        toEpochMs(sessionYaml.last_message_at) ??
        toEpochMs(sessionYaml.updated_at) ??
        toEpochMs(sessionYaml.created_at);
      times.push(declared ?? (await lastLogWrite(scan, sessionDir, rootReal)));
    }
    return { count, lastActiveMs: newest(times) };
  }

  /** The newest write among a session's message logs (every file but its config.yaml). */
  async function lastLogWrite(scan: Scan, sessionDir: string, rootReal: string) {
    const files = (await scan.list(sessionDir, rootReal)) ?? [];
    const times: (number | null)[] = [];
    for (const file of files) {
      if (file.kind !== "file" || file.name === "config.yaml") continue;
      times.push((await scan.fileInfo(joinPath(sessionDir, file.name), rootReal))?.mtimeMs ?? null);
    }
    return newest(times);
  }

  /** Every agent under one `.viben/agents` folder. */
  async function agentsIn(
    scan: Scan,
    agentsDir: string,
    rootReal: string,
    workspacePath: string | null,
    signal: AbortSignal,
  ): Promise<{ items: AgentItem[]; dropped: number }> {
    const items: AgentItem[] = [];
    let dropped = 0;
    for (const entry of (await scan.list(agentsDir, rootReal)) ?? []) {
      signal.throwIfAborted();
      if (entry.kind !== "dir" || entry.name.startsWith(".")) continue;
      const agentDir = joinPath(agentsDir, entry.name);
      const yaml = readYaml(await scan.head(joinPath(agentDir, "config.yaml"), rootReal), agentDir);
      if (yaml === null) {
        dropped++;
        continue;
      }
      const { count, lastActiveMs } = await sessions(scan, agentDir, rootReal);
      items.push({
        id: entry.name,
        type: "agent",
        item_type: "agent",
        name: text(yaml.name) ?? entry.name,
        description: text(yaml.description),
        last_active: toIso(lastActiveMs),
        source: config.name,
        model: text(yaml.model),
        provider: text(yaml.provider) ?? text(yaml.provider_id),
        session_count: count,
        workspace_path: workspacePath,
        is_global: workspacePath === null,
      });
    }
    return { items, dropped };
  }

  return queryScopedSource({
    name: config.name,
    kind: "local_agents",
    itemType: "agent",
    timeoutMs: config.timeoutMs,
    async load(query, { signal }): Promise<SourceLoad> {
      const scan = deps.scanner.scan(config);
      const { folders, refused } = await vibenFolders(scan, where, query);
      const found = [];
      for (const { dir, rootReal, workspacePath } of folders)
        found.push(await agentsIn(scan, dir, rootReal, workspacePath, signal));
      return {
        items: found.flatMap((part) => part.items),
        dropped: found.reduce((sum, part) => sum + part.dropped, 0),
        cost: { ...scan.counters },
        note: refused === null ? null : `${refused}: its agents were not read`,
      };
    },
    async watchDirs(query) {
      const scan = deps.scanner.scan(config);
      const { folders } = await vibenFolders(scan, where, query);
      // Each agents folder (a new agent), and each agent's sessions folder (a new session).
      const dirs: string[] = [];
      for (const { dir, rootReal } of folders) {
        dirs.push(dir);
        for (const entry of (await scan.list(dir, rootReal)) ?? [])
          if (entry.kind === "dir") dirs.push(joinPath(dir, entry.name, ".agent_sessions"));
      }
      return dirs;
    },
  });
}

import type { LocalAgentsConfig } from "../../config/schema.js";
import { type AgentItem, scopeOf } from "../../core/items.js";
import type { Logger } from "../../core/logger.js";
import { newest, toEpochMs, toIso } from "../../core/timestamps.js";
import { queryScopedSource, type Source, type SourceLoad } from "../source.js";
import {
  type AgentDefinition,
  cachedAgentsMdParse,
  describePrompt,
  parseYamlMapping,
  type YamlMapping,
} from "./agent-definition.js";
import { type DirScanner, joinNotes, type Scan } from "./dir-scanner.js";
import { joinPath } from "./local-fs.js";
import { vibenFolders } from "./workspace-access.js";
import { cachedYamlParse, parseYamlHere, type YamlParse } from "./yaml-text.js";

/*
 * Viben-layout agents on the local disk:
 *
 *   <home>/.viben/agents/<id>/AGENTS.md                    a global agent (older: config.yaml)
 *   <workspace>/.viben/agents/<id>/AGENTS.md               a workspace agent (older: config.yaml)
 *   <agent dir>/.agent_sessions/<session id>/config.yaml   one of its sessions, beside its
 *                                                          message logs
 *
 * An agent's AGENTS.md (front matter) or config.yaml holds name, description, model and provider
 * (or provider_id); AGENTS.md wins when both are there (agent-definition.ts). A session's
 * config.yaml holds created_at, updated_at and last_message_at. A file that is not valid YAML,
 * or not a mapping, drops its agent (logged), never the source. A folder with neither file is
 * a workspace agent named after its folder, as Viben lists it; in the global folder, nothing.
 */

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : null);

export interface LocalAgentsDeps {
  scanner: DirScanner;
  home: string;
  logger: Logger;
  /** How YAML is parsed (on Node: off the event loop for long texts). */
  parseYaml?: YamlParse;
}

export function createLocalAgentsSource(config: LocalAgentsConfig, deps: LocalAgentsDeps): Source {
  const home = config.home ?? deps.home;
  const where = { home, folder: "agents", workspaceRoots: config.workspaceRoots };

  const parseYaml = cachedYamlParse(deps.parseYaml ?? parseYamlHere);
  const readAgentsMd = cachedAgentsMdParse(parseYaml);

  function invalid(path: string): null {
    deps.logger.warn({ event: "local_agent_config_invalid", source: config.name, path });
    return null;
  }

  async function readYaml(content: string | null, path: string): Promise<YamlMapping | null> {
    if (content === null) return null;
    return (await parseYamlMapping(content, parseYaml)) ?? invalid(path);
  }

  /** An agent folder's definition: its AGENTS.md if it has one, else its config.yaml; "none"
   * when it has neither, null when the one that counts is broken (logged). */
  async function definitionOf(
    scan: Scan,
    agentDir: string,
    rootReal: string,
  ): Promise<AgentDefinition | "none" | null> {
    const agentsMdPath = joinPath(agentDir, "AGENTS.md");
    const agentsMd = await scan.head(agentsMdPath, rootReal);
    if (agentsMd !== null) return (await readAgentsMd(agentsMd)) ?? invalid(agentsMdPath);
    const configPath = joinPath(agentDir, "config.yaml");
    const configYaml = await scan.head(configPath, rootReal);
    if (configYaml === null) return "none";
    const fields = await readYaml(configYaml, configPath);
    return fields === null ? null : { fields, prompt: null };
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
      const sessionYaml = await readYaml(
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
      const found = await definitionOf(scan, agentDir, rootReal);
      // A global folder with neither file is no agent (as it never was); broken files drop theirs.
      if (found === null || (found === "none" && workspacePath === null)) {
        dropped++;
        continue;
      }
      const { fields, prompt }: AgentDefinition =
        found === "none" ? { fields: {}, prompt: null } : found;
      const { count, lastActiveMs } = await sessions(scan, agentDir, rootReal);
      items.push({
        id: entry.name,
        type: "agent",
        item_type: "agent",
        name: text(fields.name) ?? entry.name,
        description: text(fields.description) ?? (prompt === null ? null : describePrompt(prompt)),
        last_active: toIso(lastActiveMs),
        source: scopeOf(workspacePath === null),
        source_name: config.name,
        model: text(fields.model),
        provider: text(fields.provider) ?? text(fields.provider_id),
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
      const scan = deps.scanner.scan(config, signal);
      const { folders, refused } = await vibenFolders(scan, where, query);
      const found = [];
      for (const { dir, rootReal, workspacePath } of folders)
        found.push(await agentsIn(scan, dir, rootReal, workspacePath, signal));
      return {
        items: found.flatMap((part) => part.items),
        dropped: found.reduce((sum, part) => sum + part.dropped, 0),
        cost: { ...scan.counters },
        note: joinNotes(
          refused === null ? null : `${refused}: its agents were not read`,
          scan.cutNote(),
        ),
      };
    },
    async watchDirs(query) {
      const scan = deps.scanner.scan(config);
      const { folders } = await vibenFolders(scan, where, query);
      // Each agents folder (a new agent), each agent's folder (its AGENTS.md or config.yaml
      // written, renaming it) and each agent's sessions folder (a new session).
      const dirs: string[] = [];
      for (const { dir, rootReal } of folders) {
        dirs.push(dir);
        for (const entry of (await scan.list(dir, rootReal)) ?? [])
          if (entry.kind === "dir" && !entry.name.startsWith("."))
            dirs.push(joinPath(dir, entry.name), joinPath(dir, entry.name, ".agent_sessions"));
      }
      return dirs;
    },
  });
}

import { sha256Hex } from "../../cache/cache-key.js";
import { toEpochMs } from "../../core/timestamps.js";
import { normalizeWorkspacePath } from "../../core/workspace-path.js";
import type { Scan } from "./dir-scanner.js";
import { joinPath } from "./local-fs.js";
import type { YamlParse } from "./yaml-text.js";

/*
 * Where each coding-agent CLI keeps its sessions, as read here. Checked against the tools'
 * sources and docs in November 2026 (versions named per tool); no real session files were
 * available to inspect, so the fixtures in test/local follow these descriptions.
 *
 * A session's workspace comes from a cwd field inside it where the tool writes one, else from
 * the folder name the tool derives from the cwd. A session's last activity is its file's last
 * write: every tool here appends to or rewrites the file as the session goes on.
 */

/** Sessions of one executor for one workspace (all workspaces when none is given). */
export interface SessionSummary {
  count: number;
  lastActiveMs: number | null;
}

export interface StoreContext {
  scan: Scan;
  /** The tool's root directory (its config dir, or the override its env var names). */
  root: string;
  /** The home directory, for tools that keep data outside their root. */
  home: string;
  workspacePath: string | null;
  signal: AbortSignal;
  parseYaml: YamlParse;
}

/** A coding-agent CLI the gateway knows how to find, and how to read its sessions. */
export interface ExecutorStore {
  id: string;
  name: string;
  description: string;
  supportsMcp: boolean;
  /** Executable names looked for on PATH. */
  binaries: string[];
  /** The tool's root under home, and the env var that moves it (as the tool itself reads it). */
  rootDir: string;
  rootEnv?: string;
  /** Paths under home whose presence means the tool is set up here (besides its binary). */
  markers: string[];
  /** Reads the tool's own session store; null when it keeps none readable here. */
  sessions: ((context: StoreContext) => Promise<SessionSummary>) | null;
}

const EMPTY: SessionSummary = { count: 0, lastActiveMs: null };

function add(total: SessionSummary, part: SessionSummary): SessionSummary {
  const newest =
    total.lastActiveMs === null ||
    (part.lastActiveMs !== null && part.lastActiveMs > total.lastActiveMs)
      ? part.lastActiveMs
      : total.lastActiveMs;
  return { count: total.count + part.count, lastActiveMs: newest };
}

/** Counts the files of `dir` whose names pass `accept` (once per `keyOf`), dated by last write. */
async function filesIn(
  scan: Scan,
  dir: string,
  rootReal: string,
  accept: (name: string) => boolean,
  keyOf: (name: string) => string = (name) => name,
): Promise<SessionSummary> {
  return scan.summarize(dir, `files:${accept.toString()}`, () =>
    countFiles(scan, dir, rootReal, accept, keyOf),
  );
}

async function countFiles(
  scan: Scan,
  dir: string,
  rootReal: string,
  accept: (name: string) => boolean,
  keyOf: (name: string) => string,
): Promise<SessionSummary> {
  const newestByKey = new Map<string, number>();
  for (const entry of (await scan.list(dir, rootReal)) ?? []) {
    if (entry.kind !== "file" || !accept(entry.name)) continue;
    const info = await scan.fileInfo(joinPath(dir, entry.name), rootReal);
    if (info === null) continue;
    const key = keyOf(entry.name);
    newestByKey.set(key, Math.max(newestByKey.get(key) ?? 0, info.mtimeMs));
  }
  let summary = EMPTY;
  for (const mtime of newestByKey.values())
    summary = add(summary, { count: 1, lastActiveMs: mtime });
  return summary;
}

async function subdirs(scan: Scan, dir: string, rootReal: string): Promise<string[]> {
  return ((await scan.list(dir, rootReal)) ?? [])
    .filter((entry) => entry.kind === "dir")
    .map((entry) => entry.name);
}

/** A workspace path as Claude Code, Qwen Code and Droid name its folder: every character that
 * is not a letter or digit becomes "-" ("/home/ana/my.proj" → "-home-ana-my-proj"). */
export function dashedPath(workspacePath: string): string {
  return workspacePath.replace(/[^A-Za-z0-9]/g, "-");
}

function sameWorkspace(cwd: unknown, workspacePath: string): boolean {
  if (typeof cwd !== "string") return false;
  const normalized = normalizeWorkspacePath(cwd);
  return normalized.ok && normalized.path === workspacePath;
}

/**
 * Sessions kept as one file per session in a folder per workspace, `<root>/<sub>/<dashed cwd>/`.
 * Without a workspace, every workspace folder counts.
 */
function perWorkspaceFolders(sub: string[], accept: (name: string) => boolean) {
  return async ({ scan, root, workspacePath, signal }: StoreContext): Promise<SessionSummary> => {
    const base = joinPath(root, ...sub);
    const rootReal = await scan.root(base);
    if (rootReal === null) return EMPTY;
    const folders =
      workspacePath === null ? await subdirs(scan, base, rootReal) : [dashedPath(workspacePath)];
    let total = EMPTY;
    for (const folder of folders) {
      signal.throwIfAborted();
      total = add(total, await filesIn(scan, joinPath(base, folder), rootReal, accept));
    }
    return total;
  };
}

/**
 * Claude Code (2.1.x): `~/.claude/projects/<dashed cwd>/<session uuid>.jsonl`, root moved by
 * CLAUDE_CONFIG_DIR. Subagent transcripts (`agent-*.jsonl` in older versions, a `subagents/`
 * folder since 2.1.2) are not sessions. Paths over 200 characters get a hashed folder name from
 * 2.1.224 on; those sessions are not matched to their workspace here.
 */
const claudeSessions = perWorkspaceFolders(
  ["projects"],
  (name) => name.endsWith(".jsonl") && !name.startsWith("agent-"),
);

/** Qwen Code: `~/.qwen/projects/<dashed cwd>/chats/<session id>.jsonl` (QWEN_HOME moves the root);
 * `<id>.runtime.json` beside it and the `archive/` folder are not sessions. */
async function qwenSessions(context: StoreContext): Promise<SessionSummary> {
  const { scan, root, workspacePath, signal } = context;
  const projects = joinPath(root, "projects");
  const rootReal = await scan.root(projects);
  if (rootReal === null) return EMPTY;
  const folders =
    workspacePath === null ? await subdirs(scan, projects, rootReal) : [dashedPath(workspacePath)];
  let total = EMPTY;
  for (const folder of folders) {
    signal.throwIfAborted();
    total = add(
      total,
      await filesIn(scan, joinPath(projects, folder, "chats"), rootReal, (name) =>
        name.endsWith(".jsonl"),
      ),
    );
  }
  return total;
}

/** Factory Droid (0.18x): `~/.factory/sessions/<dashed cwd>/<uuid>.jsonl` beside
 * `<uuid>.settings.json`; the folder naming is taken to match Claude Code's (not confirmed). */
const droidSessions = perWorkspaceFolders(["sessions"], (name) => name.endsWith(".jsonl"));

/**
 * Codex (0.4x and later): `~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl` (CODEX_HOME
 * moves the root; early versions wrote rollouts directly in `sessions/`). The first line names
 * the session's cwd: `{"type":"session_meta","payload":{"cwd":...}}`, or a top-level `cwd` in
 * versions before September 2025. It never changes, so it is read once per file. Archived
 * sessions (`archived_sessions/`) and zstd-compressed rollouts are not counted.
 */
async function codexSessions({
  scan,
  root,
  workspacePath,
  signal,
}: StoreContext): Promise<SessionSummary> {
  const sessions = joinPath(root, "sessions");
  const rootReal = await scan.root(sessions);
  if (rootReal === null) return EMPTY;
  const folders = await rolloutFolders(scan, sessions, rootReal, signal);
  // Each folder's index answers every workspace at once: a workspace asked for the first time
  // costs a look at each folder's time, never a listing or a read.
  const indexes = await Promise.all(
    folders.map(({ dir, names }) =>
      scan.summarize(dir, "codex-index", () => indexRollouts(scan, dir, names, rootReal)),
    ),
  );
  let total = EMPTY;
  for (const index of indexes)
    total = add(
      total,
      (workspacePath === null ? index.all : index.byCwd.get(workspacePath)) ?? EMPTY,
    );
  return total;
}

interface RolloutIndex {
  all: SessionSummary;
  /** By the session's working directory, normalized. */
  byCwd: Map<string, SessionSummary>;
}

/** The folders holding rollouts (`YYYY/MM/DD`, or `sessions/` itself in early versions), each
 * level listed in parallel. */
async function rolloutFolders(scan: Scan, sessions: string, rootReal: string, signal: AbortSignal) {
  const found: { dir: string; names: string[] }[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    signal.throwIfAborted();
    const entries = (await scan.list(dir, rootReal)) ?? [];
    const names = entries
      .filter((entry) => entry.kind === "file" && /^rollout-.*\.jsonl$/.test(entry.name))
      .map((entry) => entry.name);
    if (names.length > 0) found.push({ dir, names });
    if (depth < 3)
      await Promise.all(
        entries
          .filter((entry) => entry.kind === "dir")
          .map((entry) => visit(joinPath(dir, entry.name), depth + 1)),
      );
  };
  await visit(sessions, 0);
  return found;
}

/** One folder's rollouts by working directory: each first line read once (it never changes). */
async function indexRollouts(
  scan: Scan,
  dir: string,
  names: string[],
  rootReal: string,
): Promise<RolloutIndex> {
  const index: RolloutIndex = { all: EMPTY, byCwd: new Map() };
  for (const name of names) {
    const path = joinPath(dir, name);
    const info = await scan.fileInfo(path, rootReal);
    if (info === null) continue;
    const session = { count: 1, lastActiveMs: info.mtimeMs };
    index.all = add(index.all, session);
    const first = await scan.head(path, rootReal, { immutableHead: true, firstLineOnly: true });
    const cwd = codexCwd(first);
    const normalized = cwd === null ? null : normalizeWorkspacePath(cwd);
    if (normalized?.ok !== true) continue;
    index.byCwd.set(normalized.path, add(index.byCwd.get(normalized.path) ?? EMPTY, session));
  }
  return index;
}

/** The working directory a Codex rollout's first line names, or null. */
export function codexCwd(firstLine: string | null): string | null {
  if (firstLine === null) return null;
  try {
    const meta = JSON.parse(firstLine) as { cwd?: unknown; payload?: { cwd?: unknown } };
    const cwd = meta.payload?.cwd ?? meta.cwd;
    return typeof cwd === "string" ? cwd : null;
  } catch {
    return null;
  }
}

/**
 * Gemini CLI: `~/.gemini/tmp/<project id>/chats/session-*.jsonl` (`.json` before March 2026;
 * resuming one writes a `.jsonl` beside it, so a stem counts once), where the project id is the
 * hex SHA-256 of the project root (older versions) or a short name registered in
 * `~/.gemini/projects.json` (`{"projects":{"/abs/path":"name"}}`, newer versions). Both are
 * looked in. GEMINI_CLI_HOME moves the home the `.gemini` folder is in. Subagent chats live in
 * subfolders of `chats/` and are not counted.
 */
async function geminiSessions({
  scan,
  root,
  workspacePath,
  signal,
}: StoreContext): Promise<SessionSummary> {
  const tmp = joinPath(root, "tmp");
  const rootReal = await scan.root(tmp);
  if (rootReal === null) return EMPTY;
  let projects: string[];
  if (workspacePath === null) projects = await subdirs(scan, tmp, rootReal);
  else {
    projects = [sha256Hex(workspacePath)];
    const registryRoot = await scan.root(root);
    const registry =
      registryRoot === null ? null : await scan.head(joinPath(root, "projects.json"), registryRoot);
    const named = registeredProject(registry, workspacePath);
    if (named !== null) projects.push(named);
  }
  let total = EMPTY;
  for (const project of projects) {
    signal.throwIfAborted();
    const isChat = (name: string) => name.startsWith("session-") && /\.jsonl?$/.test(name);
    total = add(
      total,
      await filesIn(scan, joinPath(tmp, project, "chats"), rootReal, isChat, (name) =>
        name.replace(/\.jsonl?$/, ""),
      ),
    );
  }
  return total;
}

function registeredProject(registry: string | null, workspacePath: string): string | null {
  if (registry === null) return null;
  try {
    const projects =
      (JSON.parse(registry) as { projects?: Record<string, unknown> }).projects ?? {};
    for (const [path, name] of Object.entries(projects))
      if (
        typeof name === "string" &&
        /^(?!\.{1,2}$)[\w.-]+$/.test(name) &&
        sameWorkspace(path, workspacePath)
      )
        return name;
  } catch {
    // an unreadable registry: only the hashed folder is looked in
  }
  return null;
}

/**
 * GitHub Copilot CLI: `~/.copilot/session-state/<session id>/` holding `events.jsonl` and a
 * `workspace.yaml` with the session's `cwd` and `updated_at` (COPILOT_HOME moves the root). An
 * empty session folder (which `--resume` leaves behind) is not a session.
 */
async function copilotSessions({
  scan,
  root,
  workspacePath,
  signal,
  parseYaml,
}: StoreContext): Promise<SessionSummary> {
  const state = joinPath(root, "session-state");
  const rootReal = await scan.root(state);
  if (rootReal === null) return EMPTY;
  let total = EMPTY;
  for (const session of await subdirs(scan, state, rootReal)) {
    signal.throwIfAborted();
    const dir = joinPath(state, session);
    const events = await scan.fileInfo(joinPath(dir, "events.jsonl"), rootReal);
    const workspace = await readYamlMapping(
      await scan.head(joinPath(dir, "workspace.yaml"), rootReal),
      parseYaml,
    );
    if (events === null && workspace === null) continue;
    if (workspacePath !== null && !sameWorkspace(workspace?.cwd, workspacePath)) continue;
    total = add(total, {
      count: 1,
      lastActiveMs: events?.mtimeMs ?? toEpochMs(workspace?.updated_at),
    });
  }
  return total;
}

async function readYamlMapping(
  text: string | null,
  parseYaml: YamlParse,
): Promise<Record<string, unknown> | null> {
  if (text === null) return null;
  const value = await parseYaml(text);
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** Every executor the local source knows, in the order they are listed. */
export const EXECUTOR_STORES: readonly ExecutorStore[] = [
  {
    id: "CLAUDE_CODE",
    name: "Claude Code",
    description: "Anthropic's Claude Code CLI",
    supportsMcp: true,
    binaries: ["claude"],
    rootDir: ".claude",
    rootEnv: "CLAUDE_CONFIG_DIR",
    markers: [".claude"],
    sessions: claudeSessions,
  },
  {
    id: "CODEX",
    name: "Codex",
    description: "OpenAI's Codex CLI",
    supportsMcp: true,
    binaries: ["codex"],
    rootDir: ".codex",
    rootEnv: "CODEX_HOME",
    markers: [".codex"],
    sessions: codexSessions,
  },
  {
    id: "GEMINI",
    name: "Gemini CLI",
    description: "Google's Gemini CLI",
    supportsMcp: true,
    binaries: ["gemini"],
    rootDir: ".gemini",
    markers: [".gemini"],
    sessions: geminiSessions,
  },
  {
    id: "QWEN_CODE",
    name: "Qwen Code",
    description: "Alibaba's Qwen Code CLI",
    supportsMcp: true,
    binaries: ["qwen"],
    rootDir: ".qwen",
    rootEnv: "QWEN_HOME",
    markers: [".qwen"],
    sessions: qwenSessions,
  },
  {
    id: "COPILOT",
    name: "GitHub Copilot CLI",
    description: "GitHub's Copilot CLI",
    supportsMcp: true,
    binaries: ["copilot"],
    rootDir: ".copilot",
    rootEnv: "COPILOT_HOME",
    markers: [".copilot"],
    sessions: copilotSessions,
  },
  {
    id: "DROID",
    name: "Droid",
    description: "Factory's Droid CLI",
    supportsMcp: true,
    binaries: ["droid"],
    rootDir: ".factory",
    markers: [".factory"],
    sessions: droidSessions,
  },
  // Found but not counted: OpenCode keeps sessions in SQLite (opencode.db, since 1.2), Cursor's
  // agent in one SQLite store per chat, and Amp on its server; their session_count is null.
  {
    id: "OPENCODE",
    name: "OpenCode",
    description: "The OpenCode CLI",
    supportsMcp: true,
    binaries: ["opencode"],
    rootDir: ".local/share/opencode",
    markers: [".config/opencode", ".local/share/opencode"],
    sessions: null,
  },
  {
    id: "CURSOR_AGENT",
    name: "Cursor Agent",
    description: "Cursor's agent CLI",
    supportsMcp: true,
    binaries: ["cursor-agent"],
    rootDir: ".cursor",
    markers: [".cursor/cli-config.json"],
    sessions: null,
  },
  {
    id: "AMP",
    name: "Amp",
    description: "Sourcegraph's Amp CLI",
    supportsMcp: true,
    binaries: ["amp"],
    rootDir: ".config/amp",
    markers: [".config/amp"],
    sessions: null,
  },
];

import { newest } from "../../core/timestamps.js";
import type { Scan } from "./dir-scanner.js";
import { joinPath } from "./local-fs.js";
import type { MessageLogCache } from "./message-log-cache.js";
import { firstTime, isMapping, type VibenMapping } from "./viben-documents.js";

/*
 * One Viben group chat folder, `<root>/<id>/`:
 *
 *   config.yaml                        id, name, description, created_at, updated_at, ...
 *   members.yaml                       [{id, type: human|agent, joinedAt, lastSeenAt?, ...}]
 *   sessions/<sid>/config.yaml         status, created_at, updated_at
 *   sessions/<sid>/messages.ui.jsonl   one message a line
 *
 * Reading it needs only these fixed names, so the chat folder itself is never listed.
 */

/** What a chat's sessions add up to: counts and times only. */
export interface SessionsSummary {
  /** Session folders with a readable config.yaml. */
  count: number;
  newestMessageMs: number | null;
  newestUpdatedMs: number | null;
  /** Times of the agent text/error messages of every session, ascending. */
  countedMs: number[];
  /** Message logs longer than maxBytesPerFile, counted from their tail. */
  logsFromTail: number;
}

export interface ChatFolder {
  config: VibenMapping;
  /** Members listed; null without a readable members.yaml. */
  memberCount: number | null;
  /** The human member's lastSeenAt, else joinedAt; undefined when there is no human member. */
  humanSeenMs: number | null | undefined;
  sessions: SessionsSummary;
}

export interface FolderReader {
  scan: Scan;
  rootReal: string;
  maxBytesPerFile: number;
  logs: MessageLogCache;
  /** A file's parsed document (JSON or YAML); null when missing or unreadable, undefined when
   * it is there but neither JSON nor YAML. */
  document(path: string): Promise<unknown>;
}

/** Members and the human's mark; a chat may have several humans: the latest mark counts. */
function readMembers(document: unknown) {
  const list = isMapping(document) ? document.members : document;
  if (!Array.isArray(list)) return { memberCount: null, humanSeenMs: undefined };
  const members = list.filter(isMapping);
  let humanSeenMs: number | null | undefined;
  for (const member of members) {
    if (member.type !== "human") continue;
    const seen =
      firstTime(member, "lastSeenAt", "last_seen_at") ?? firstTime(member, "joinedAt", "joined_at");
    humanSeenMs = newest([humanSeenMs ?? null, seen]);
  }
  return { memberCount: members.length, humanSeenMs };
}

async function readSessions(reader: FolderReader, sessionsDir: string): Promise<SessionsSummary> {
  const summary: SessionsSummary = {
    count: 0,
    newestMessageMs: null,
    newestUpdatedMs: null,
    countedMs: [],
    logsFromTail: 0,
  };
  for (const entry of (await reader.scan.list(sessionsDir, reader.rootReal)) ?? []) {
    if (entry.kind !== "dir" || entry.name.startsWith(".")) continue;
    const sessionDir = joinPath(sessionsDir, entry.name);
    const config = await reader.document(joinPath(sessionDir, "config.yaml"));
    if (!isMapping(config)) continue;
    summary.count++;
    summary.newestUpdatedMs = newest([
      summary.newestUpdatedMs,
      firstTime(config, "updated_at", "updatedAt"),
    ]);
    const log = await reader.logs.read(
      reader.scan,
      joinPath(sessionDir, "messages.ui.jsonl"),
      reader.rootReal,
      reader.maxBytesPerFile,
    );
    if (log === null) continue;
    summary.newestMessageMs = newest([summary.newestMessageMs, log.newestMs]);
    for (const at of log.counted) summary.countedMs.push(at);
    if (log.fromTail) summary.logsFromTail++;
  }
  summary.countedMs.sort((a, b) => a - b);
  return summary;
}

/** One chat, or null when its config.yaml is missing or unreadable (the chat is dropped). */
export async function readChatFolder(
  reader: FolderReader,
  chatDir: string,
): Promise<ChatFolder | null> {
  const config = await reader.document(joinPath(chatDir, "config.yaml"));
  if (!isMapping(config)) return null;
  const members = readMembers(await reader.document(joinPath(chatDir, "members.yaml")));
  const sessionsDir = joinPath(chatDir, "sessions");
  // Reused while sessions/ is unchanged, for at most fileRefreshMs: messages are appended in
  // place, which changes no directory's time (the scanner's summaries work that way).
  const sessions = await reader.scan.summarize(
    sessionsDir,
    `group-chat-sessions:${reader.maxBytesPerFile}`,
    () => readSessions(reader, sessionsDir),
  );
  return { config, ...members, sessions };
}

import type { LocalGroupChatsConfig } from "../../config/schema.js";
import type { GroupChatItem } from "../../core/items.js";
import type { Logger } from "../../core/logger.js";
import type { VibenUnreadBasis } from "../../core/unread.js";
import { mapWithConcurrency } from "../../upstream/concurrency.js";
import { queryScopedSource, type Source, type SourceLoad } from "../source.js";
import { shadowGlobalChats } from "../viben-group-chats.js";
import type { DirScanner, Scan } from "./dir-scanner.js";
import { type FolderReader, readChatFolder } from "./group-chat-folder.js";
import { chatItem, tailNote, unreadBasis } from "./group-chat-item.js";
import { joinPath, type LocalFs } from "./local-fs.js";
import { createMessageLogCache } from "./message-log-cache.js";
import { createDocumentCache } from "./viben-documents.js";
import { vibenFolders } from "./workspace-access.js";
import { parseYamlHere, type YamlParse } from "./yaml-text.js";

/*
 * Viben group chats on the local disk (DESIGN §7): `<home>/.viben/group-chats/<id>/` (global)
 * and `<workspace>/.viben/group-chats/<id>/` (the workspace's own); see group-chat-folder.ts for
 * what one folder holds. A chat whose config.yaml is missing or unreadable is dropped (counted
 * and logged), never the source.
 */

export interface LocalGroupChatsDeps {
  fs: LocalFs;
  scanner: DirScanner;
  home: string;
  logger: Logger;
  /** How YAML is parsed (on Node: off the event loop for long texts). */
  parseYaml?: YamlParse;
}

/** Chat folders read at once. When maxFilesPerScan runs out mid-scan, which chats it cut short
 * can vary from one scan to the next; under the bound nothing does. */
const CHATS_AT_ONCE = 16;

interface Found {
  items: GroupChatItem[];
  /** By item id: the unread basis and how many of the chat's logs were counted from their tail. */
  details: Map<string, { basis: VibenUnreadBasis; logsFromTail: number }>;
  dropped: number;
}

export function createLocalGroupChatsSource(
  config: LocalGroupChatsConfig,
  deps: LocalGroupChatsDeps,
): Source {
  const home = config.home ?? deps.home;
  const where = { home, folder: "group-chats", workspaceRoots: config.workspaceRoots };
  const logs = createMessageLogCache(deps.fs);
  const parse = createDocumentCache(
    (path) =>
      deps.logger.warn({ event: "local_group_chat_file_unreadable", source: config.name, path }),
    deps.parseYaml ?? parseYamlHere,
  );

  function readerFor(scan: Scan, rootReal: string): FolderReader {
    return {
      scan,
      rootReal,
      maxBytesPerFile: config.maxBytesPerFile,
      logs,
      async document(path) {
        const content = await scan.head(path, rootReal);
        return content === null ? null : parse(path, content);
      },
    };
  }

  /** Every chat under one `.viben/group-chats` folder. */
  async function chatsIn(
    scan: Scan,
    chatsDir: string,
    rootReal: string,
    workspacePath: string | null,
    signal: AbortSignal,
  ): Promise<Found> {
    const found: Found = { items: [], details: new Map(), dropped: 0 };
    const reader = readerFor(scan, rootReal);
    const entries = ((await scan.list(chatsDir, rootReal)) ?? []).filter(
      (entry) => entry.kind === "dir" && !entry.name.startsWith("."),
    );
    // Several chats at once: each costs a few small file-system calls, which the runtime's
    // thread pool serves in parallel. Items keep the listing's order whatever finishes first.
    const chats = await mapWithConcurrency(entries, CHATS_AT_ONCE, (entry) => {
      signal.throwIfAborted();
      return readChatFolder(reader, joinPath(chatsDir, entry.name));
    });
    signal.throwIfAborted();
    for (const [index, entry] of entries.entries()) {
      const chat = chats[index];
      if (chat instanceof Error) throw chat;
      const chatDir = joinPath(chatsDir, entry.name);
      if (chat === null || chat === undefined) {
        found.dropped++;
        deps.logger.warn({ event: "local_group_chat_dropped", source: config.name, path: chatDir });
        continue;
      }
      const item = chatItem(entry.name, chat, workspacePath, config.name);
      // Folders "x" and "gc-x" are one item id: the first one read stays.
      if (found.details.has(item.id)) {
        found.dropped++;
        deps.logger.warn({
          event: "local_group_chat_duplicate",
          source: config.name,
          path: chatDir,
        });
        continue;
      }
      found.items.push(item);
      found.details.set(item.id, {
        basis: unreadBasis(chat),
        logsFromTail: chat.sessions.logsFromTail,
      });
    }
    return found;
  }

  return queryScopedSource({
    name: config.name,
    kind: "local_group_chats",
    itemType: "group_chat",
    timeoutMs: config.timeoutMs,
    async load(query, { signal }): Promise<SourceLoad> {
      const scan = deps.scanner.scan(config, signal);
      const { folders, refused } = await vibenFolders(scan, where, query);
      const parts: Found[] = [];
      for (const { dir, rootReal, workspacePath } of folders)
        parts.push(await chatsIn(scan, dir, rootReal, workspacePath, signal));
      const notes = refused === null ? [] : [`${refused}: its group chats were not read`];
      const items = shadowGlobalChats(parts.flatMap((part) => part.items));
      // Workspace chats are read last, so a shadowed global chat's details are overwritten by
      // those of the workspace chat that took its place.
      const details = new Map(parts.flatMap((part) => [...part.details]));
      const unread = new Map<string, VibenUnreadBasis>();
      let tails = 0;
      for (const item of items) {
        const detail = details.get(item.id);
        if (detail === undefined) continue;
        unread.set(item.id, detail.basis);
        tails += detail.logsFromTail;
      }
      if (tails > 0) notes.push(tailNote(tails));
      const cut = scan.cutNote();
      if (cut !== null) notes.push(cut);
      return {
        items,
        unread,
        // One user on this machine: the local kinds' read markers are the identity "local"'s.
        identity: "local",
        dropped: parts.reduce((sum, part) => sum + part.dropped, 0),
        cost: { ...scan.counters },
        note: notes.length === 0 ? null : notes.join("; "),
      };
    },
    async watchDirs(query) {
      const scan = deps.scanner.scan(config);
      const { folders } = await vibenFolders(scan, where, query);
      // New chats; each chat's folder (members.yaml moves when the user posts), its sessions
      // folder (new sessions) and each session's folder (its message log grows).
      const dirs: string[] = [];
      for (const { dir, rootReal } of folders) {
        dirs.push(dir);
        for (const chat of (await scan.list(dir, rootReal)) ?? []) {
          if (chat.kind !== "dir") continue;
          const sessions = joinPath(dir, chat.name, "sessions");
          dirs.push(joinPath(dir, chat.name), sessions);
          for (const session of (await scan.list(sessions, rootReal)) ?? [])
            if (session.kind === "dir") dirs.push(joinPath(sessions, session.name));
        }
      }
      return dirs;
    },
  });
}

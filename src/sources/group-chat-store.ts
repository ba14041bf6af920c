import { z } from "zod";
import type { GroupChatStoreConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import { type GroupChatItem, scopeOf } from "../core/items.js";
import { newest, toIso } from "../core/timestamps.js";
import type { UpstreamCall, UpstreamClient } from "../upstream/http-client.js";
import { createLookupCache, type Lookup, uncountedNote } from "./lookups.js";
import { SessionUpstream, sameWorkspace } from "./sessions.js";
import { queryScopedSource, type Source, type SourceLoad, type SourceQuery } from "./source.js";
import {
  listIn,
  OptionalCount,
  OptionalText,
  parseEach,
  tolerantObject,
  UpstreamId,
  UpstreamTimestamp,
  withQuery,
  withSnakeCaseAliases,
} from "./tolerant.js";
import { groupChatItemId, namesVibenGlobalFolder, shadowGlobal } from "./viben-group-chats.js";

const GroupChatUpstream = tolerantObject({
  id: UpstreamId,
  name: OptionalText,
  description: OptionalText,
  workspace_path: z.string().nullish(),
  is_global: z.boolean().optional(),
  created_at: UpstreamTimestamp,
  updated_at: UpstreamTimestamp,
  last_active: UpstreamTimestamp,
  last_message_at: UpstreamTimestamp,
  member_count: OptionalCount,
  session_count: OptionalCount,
  unread_count: OptionalCount,
});
type GroupChatUpstream = z.infer<typeof GroupChatUpstream>;

/** Without is_global, a chat is global when it names no workspace, or names Viben's own global
 * folder (which is where Viben keeps global chats). */
function isGlobal(chat: GroupChatUpstream): boolean {
  if (chat.is_global !== undefined) return chat.is_global;
  const path = chat.workspace_path?.trim() ?? "";
  return path === "" || namesVibenGlobalFolder(path);
}

/** Global chats only with include_global; workspace chats only for their own workspace. */
function belongs(chat: GroupChatUpstream, query: SourceQuery): boolean {
  if (isGlobal(chat)) return query.includeGlobal;
  if (query.workspacePath === null) return false;
  return chat.workspace_path == null || sameWorkspace(chat.workspace_path, query.workspacePath);
}

const isObject = (value: unknown) =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** What a chat's members and sessions look-ups found; undefined where nothing is known. */
interface Filled {
  memberCount?: number | undefined;
  sessions?: SessionCounts | undefined;
}
type SessionCounts = { count: number; lastActiveMs: number | null };
/** One chat's look-up answer: a member count, or its sessions counted and dated. */
type LookupAnswer = number | SessionCounts;

export interface GroupChatStoreDeps {
  client: UpstreamClient;
  clock: Clock;
}

/** Viben group chats from an HTTP store: a running Viben's `/api` is one (DESIGN §7). */
export function createGroupChatStoreSource(
  config: GroupChatStoreConfig,
  deps: GroupChatStoreDeps,
): Source {
  // Members and sessions look-ups share one cap, one queue and one cache.
  const lookups = createLookupCache<LookupAnswer>({
    perRequest: config.sessionLookupsPerRequest,
    concurrency: config.sessionConcurrency,
    ttlMs: config.sessionTtlMs,
    clock: deps.clock,
  });
  const chatUrl = (chat: GroupChatUpstream, query: SourceQuery, part: string) =>
    withQuery(`${config.baseUrl}/group-chats/${encodeURIComponent(chat.id)}/${part}`, {
      // Viben finds a workspace chat in its workspace's folder, so it is told which one.
      workspace_path: isGlobal(chat) ? null : query.workspacePath,
    });

  async function memberCount(url: string, call: UpstreamCall): Promise<number> {
    const body = await deps.client.getJson(url, call);
    return listIn(body, "members").filter(isObject).length;
  }

  /** Sessions counted and dated like the local source dates a chat: the newest message of any
   * session, else the newest session update. */
  async function sessions(url: string, call: UpstreamCall) {
    const body = await deps.client.getJson(url, call);
    const { valid } = parseEach(listIn(body, "sessions"), SessionUpstream);
    const lastActiveMs =
      newest(valid.map((session) => session.last_message_at)) ??
      newest(valid.map((session) => session.updated_at));
    return { count: valid.length, lastActiveMs };
  }

  /** The look-ups a chat listed without its counts needs: by URL, which is also the key (it
   * names the workspace exactly when the call depends on it). */
  function lookupsOf(chat: GroupChatUpstream, query: SourceQuery, trace: UpstreamCall["trace"]) {
    const needed: Lookup<LookupAnswer>[] = [];
    if (chat.member_count === undefined) {
      const key = chatUrl(chat, query, "members");
      needed.push({ key, run: (signal) => memberCount(key, { signal, trace }) });
    }
    if (chat.session_count === undefined) {
      const key = chatUrl(chat, query, "sessions");
      needed.push({ key, run: (signal) => sessions(key, { signal, trace }) });
    }
    return needed;
  }

  function toItem(chat: GroupChatUpstream, filled: Filled, query: SourceQuery): GroupChatItem {
    const global = isGlobal(chat);
    const lastActiveMs =
      chat.last_message_at ??
      chat.last_active ??
      filled.sessions?.lastActiveMs ??
      chat.updated_at ??
      null;
    return {
      id: groupChatItemId(chat.id),
      type: "group_chat",
      item_type: "group_chat",
      name: chat.name ?? chat.id,
      description: chat.description,
      last_active: toIso(lastActiveMs),
      source: scopeOf(global),
      source_name: config.name,
      member_count: chat.member_count ?? filled.memberCount ?? null,
      session_count: chat.session_count ?? filled.sessions?.count ?? null,
      unread_count: chat.unread_count ?? null,
      workspace_path: global ? null : query.workspacePath,
      is_global: global,
    };
  }

  return queryScopedSource({
    name: config.name,
    kind: "group_chat_store",
    itemType: "group_chat",
    timeoutMs: config.timeoutMs,
    async load(query, { signal, remainingMs, trace }): Promise<SourceLoad> {
      const call = { signal, trace };
      const url = withQuery(`${config.baseUrl}/group-chats`, {
        workspace_path: query.workspacePath,
        include_global: String(query.includeGlobal),
      });
      const body = await deps.client.getJson(url, call);
      const listed = listIn(withSnakeCaseAliases(body), "group_chats");
      const { valid, dropped } = parseEach(listed, GroupChatUpstream);
      // Shadowed before the look-ups, so a global chat hidden by its workspace twin costs none.
      const shown = shadowGlobal(
        valid.filter((chat) => belongs(chat, query)),
        (chat) => groupChatItemId(chat.id),
        isGlobal,
      );
      const needed = shown.map((chat) => lookupsOf(chat, query, trace));
      const results = await lookups.run(needed.flat(), { signal, remainingMs });
      signal.throwIfAborted();
      const uncounted = { left: 0, failed: 0 };
      const items = shown.map((chat, index) => {
        const filled: Filled = {};
        let missing: "left" | "failed" | null = null;
        for (const { key } of needed[index] ?? []) {
          const answer = results.get(key);
          if (typeof answer === "number") filled.memberCount = answer;
          else if (answer !== undefined) filled.sessions = answer;
          else if (results.failed(key)) missing = "failed";
          else missing ??= "left";
        }
        if (missing !== null) uncounted[missing]++;
        return toItem(chat, filled, query);
      });
      const note = uncountedNote(uncounted, { one: "chat", many: "chats" }, "look-up cap");
      return { items, dropped, note };
    },
  });
}

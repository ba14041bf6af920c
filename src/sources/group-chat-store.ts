import { z } from "zod";
import type { GroupChatStoreConfig } from "../config/schema.js";
import type { GroupChatItem } from "../core/items.js";
import { newest, toIso } from "../core/timestamps.js";
import { mapWithConcurrency } from "../upstream/concurrency.js";
import type { UpstreamCall, UpstreamClient } from "../upstream/http-client.js";
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

interface Filled {
  memberCount?: number | null;
  sessions?: { count: number; lastActiveMs: number | null } | null;
}

export interface GroupChatStoreDeps {
  client: UpstreamClient;
}

/** Viben group chats from an HTTP store: a running Viben's `/api` is one (DESIGN §7). */
export function createGroupChatStoreSource(
  config: GroupChatStoreConfig,
  deps: GroupChatStoreDeps,
): Source {
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
      source: config.name,
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
    async load(query, { signal, trace }): Promise<SourceLoad> {
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
      // Every look-up of every chat in one queue, so sessionConcurrency caps them all at once.
      const filled = shown.map((): Filled => ({}));
      const lookups: (() => Promise<void>)[] = [];
      shown.forEach((chat, index) => {
        const into = filled[index] as Filled;
        if (chat.member_count === undefined)
          lookups.push(async () => {
            into.memberCount = await memberCount(chatUrl(chat, query, "members"), call).catch(
              () => null,
            );
          });
        if (chat.session_count === undefined)
          lookups.push(async () => {
            into.sessions = await sessions(chatUrl(chat, query, "sessions"), call).catch(
              () => null,
            );
          });
      });
      await mapWithConcurrency(lookups, config.sessionConcurrency, (lookup) => lookup());
      signal.throwIfAborted();
      const items = shown.map((chat, index) => toItem(chat, filled[index] as Filled, query));
      return { items, dropped };
    },
  });
}

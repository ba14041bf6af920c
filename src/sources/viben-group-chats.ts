import { GROUP_CHAT_ID_PREFIX, type GroupChatItem } from "../core/items.js";

/*
 * Rules shared by the two kinds that serve Viben group chats (DESIGN §7): `local_group_chats`
 * reads them from disk, `group_chat_store` from a running Viben. Both must give a chat the same
 * id, the same globality and the same shadowing, so that one chat looks the same either way.
 */

/** The item id of a Viben chat: `gc-<id>`, or the id itself when Viben already prefixed it (its
 * ids may look like "gc-abc123"), so one chat never becomes "gc-gc-abc123". */
export function groupChatItemId(chatId: string): string {
  return chatId.startsWith(GROUP_CHAT_ID_PREFIX) ? chatId : `${GROUP_CHAT_ID_PREFIX}${chatId}`;
}

/** Whether a reported workspace path names Viben's global folder (`~/.viben`) rather than a
 * workspace: Viben reports global chats with the folder they live in. */
export function namesVibenGlobalFolder(path: string): boolean {
  const segments = path.split(/[\\/]+/).filter((segment) => segment !== "");
  return segments.at(-1) === ".viben";
}

/**
 * One entry per item id, in first-seen order: a workspace chat shadows a global chat with the
 * same id (it takes the global one's place); otherwise the first one stays.
 */
export function shadowGlobal<T>(
  entries: readonly T[],
  idOf: (entry: T) => string,
  isGlobal: (entry: T) => boolean,
): T[] {
  const byId = new Map<string, T>();
  for (const entry of entries) {
    const id = idOf(entry);
    const current = byId.get(id);
    if (current === undefined || (isGlobal(current) && !isGlobal(entry))) byId.set(id, entry);
  }
  return [...byId.values()];
}

export const shadowGlobalChats = (items: readonly GroupChatItem[]) =>
  shadowGlobal(
    items,
    (item) => item.id,
    (item) => item.is_global,
  );

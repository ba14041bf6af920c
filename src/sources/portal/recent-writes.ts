import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import type { ChatListItem, GroupChatItem } from "../../core/items.js";
import { toEpochMs, toIso } from "../../core/timestamps.js";
import { comparePositions, type MessagePosition, type UnreadBasis } from "../../core/unread.js";
import type { SourceLoad } from "../source.js";
import type { PortalWriteEffect } from "./portal-writes.js";
import { basisWithMessage } from "./written-floor.js";

interface Recent {
  /** Bumped on every write remembered: overlays memoized for an older one are stale. */
  version: number;
  /** Chats created, by item id, and when this gateway heard of them. */
  created: Map<string, { item: GroupChatItem; heardAt: number }>;
  /** The caller's newest message per chat, by item id, and when it was sent. */
  sent: Map<string, { position: MessagePosition; atMs: number }>;
}

export interface RecentWritesOptions {
  clock: Clock;
  /** Identities remembered at most. */
  maxIdentities?: number;
  /** How long a write is laid over loads: longer than any cached load made before it lives. */
  ttlMs?: number;
}

// Bounds: a user's chats created and chats written to within the TTL. Beyond them the oldest
// are forgotten (their loads have been refreshed long since, or will be at their TTL).
const MAX_CREATED_PER_IDENTITY = 16;
const MAX_SENT_PER_IDENTITY = 64;
const EMPTY_BASIS: UnreadBasis = { kind: "portal", newest: null, messages: [] };

/**
 * Read-your-writes for the lists (DESIGN §13): the writes an identity made through the gateway,
 * laid over any portal load of that identity — a cached one (whichever of the identity's
 * sessions it was loaded for), or one whose list was asked before the write. So the next list,
 * its ETag and every stream show a write at once, with no refetch, and a load that was already
 * on its way cannot take it back. A load whose list was asked after a chat was created and lacks
 * it is believed: the portal no longer shows the chat.
 */
export function createRecentWrites(options: RecentWritesOptions) {
  const { clock } = options;
  const byIdentity = new LRUCache<string, Recent>({
    max: options.maxIdentities ?? 5_000,
    ttl: options.ttlMs ?? 10 * 60 * 1000,
  });
  // One overlay per load object and version, so an unchanged list keeps its very arrays (the
  // response memo and the feeds compare them by identity).
  const memo = new WeakMap<SourceLoad, { version: number; load: SourceLoad }>();
  let versions = 0;

  function remember(effect: PortalWriteEffect): void {
    let recent = byIdentity.get(effect.identity);
    if (recent === undefined) {
      recent = { version: 0, created: new Map(), sent: new Map() };
      byIdentity.set(effect.identity, recent);
    }
    if (effect.kind === "chat_created") {
      recent.created.delete(effect.item.id);
      recent.created.set(effect.item.id, { item: effect.item, heardAt: clock.now() });
      if (recent.created.size > MAX_CREATED_PER_IDENTITY)
        recent.created.delete(recent.created.keys().next().value as string);
    } else {
      const known = recent.sent.get(effect.chatId);
      if (known !== undefined && comparePositions(known.position, effect.position) >= 0) return;
      recent.sent.delete(effect.chatId);
      recent.sent.set(effect.chatId, { position: effect.position, atMs: effect.atMs });
      if (recent.sent.size > MAX_SENT_PER_IDENTITY)
        recent.sent.delete(recent.sent.keys().next().value as string);
    }
    recent.version = ++versions;
    // Set again: a remembered write restarts the identity's TTL.
    byIdentity.set(effect.identity, recent);
  }

  function overlay(load: SourceLoad): SourceLoad {
    const { identity } = load;
    if (typeof identity !== "string") return load;
    const recent = byIdentity.get(identity);
    if (recent === undefined) return load;
    const memoized = memo.get(load);
    if (memoized?.version === recent.version) return memoized.load;
    const result = laidOver(load, identity, recent);
    memo.set(load, { version: recent.version, load: result });
    return result;
  }

  return { remember, overlay };
}

export type RecentWrites = ReturnType<typeof createRecentWrites>;

function laidOver(load: SourceLoad, identity: string, recent: Recent): SourceLoad {
  const userId = identity.slice(identity.indexOf(":") + 1);
  let unread: Map<string, UnreadBasis> | undefined;
  const bases = () => {
    unread ??= new Map(load.unread ?? []);
    return unread;
  };
  let changed = false;
  const items: ChatListItem[] = load.items.map((item) => {
    const sent = item.type === "group_chat" ? recent.sent.get(item.id) : undefined;
    if (sent === undefined) return item;
    const { position, atMs } = sent;
    const basis = load.unread?.get(item.id) ?? EMPTY_BASIS;
    if (basis.kind === "portal") {
      const withOwn = basisWithMessage(basis, { position, senderId: userId });
      if (withOwn !== basis || !load.unread?.has(item.id)) bases().set(item.id, withOwn);
    }
    const lastActive = toEpochMs(item.last_active);
    if (lastActive !== null && lastActive >= atMs) return item;
    changed = true;
    return { ...item, last_active: toIso(atMs) };
  });
  const listed = new Set(load.items.map((item) => item.id));
  const asked = load.fetchedAt ?? Number.POSITIVE_INFINITY;
  for (const [id, { item, heardAt }] of recent.created) {
    if (listed.has(id) || asked > heardAt) continue;
    items.push(item);
    if (!load.unread?.has(id)) bases().set(id, EMPTY_BASIS);
    changed = true;
  }
  if (!changed && unread === undefined) return load;
  return {
    ...load,
    items: changed ? items : load.items,
    ...(unread === undefined ? {} : { unread }),
  };
}

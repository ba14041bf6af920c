import { sha256Hex } from "../../cache/cache-key.js";
import type { PortalSourceConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import { GROUP_CHAT_ID_PREFIX, type GroupChatItem } from "../../core/items.js";
import type { Logger } from "../../core/logger.js";
import { toEpochMs } from "../../core/timestamps.js";
import type { UnreadBasis } from "../../core/unread.js";
import type { UpstreamCall, UpstreamClient } from "../../upstream/http-client.js";
import type { RetryAfterHold } from "../../upstream/retry-after-hold.js";
import type { LoadContext, Source, SourceLoad } from "../source.js";
import { listIn, parseEach } from "../tolerant.js";
import { createPortalBudgets } from "./budgets.js";
import { createHistoryTracker } from "./history.js";
import { createIdentityResolver, type IdentityResult } from "./identity.js";
import { normalizeChatType, PortalChatUpstream, toGroupChatItem } from "./portal-schema.js";
import {
  type CreateChatBody,
  createPortalWriter,
  type PortalWriteCall,
  type PortalWriteEffect,
  type PortalWriteResult,
  type PortalWriter,
} from "./portal-writes.js";
import { createRecentWrites } from "./recent-writes.js";

/** A portal source's writes (DESIGN §13): the portal calls, and what a write changes here. */
export interface PortalWrites {
  /** Who a session is (`<source>:<user id>`), as read markers know it. */
  whoIs(cookie: string, callerKey: string, call: UpstreamCall): Promise<IdentityResult>;
  /** Creates a chat; its item is dated now, with nothing unread. */
  createChat(
    body: CreateChatBody,
    call: PortalWriteCall,
  ): Promise<PortalWriteResult<{ item: GroupChatItem }>>;
  sendMessage: PortalWriter["sendMessage"];
  /** Applies a write (this instance's, or one another instance announced) to this source's
   * lists and dates: every load of the identity shows it from now on. */
  remember(effect: PortalWriteEffect): void;
}

/** The background who-am-I of a cached list belongs to no request: it has its own deadline. */
const NEVER_ABORTED = new AbortController().signal;

export interface PortalSourceDeps {
  /** Calls the portal; with `hold`, through it (see createSources). */
  client: UpstreamClient;
  clock: Clock;
  logger: Logger;
  /** How long a session the portal refused is remembered (cache.unauthorizedTtlMs). */
  unauthorizedTtlMs?: number;
  /** See SourceDeps.cachedForMs. */
  cachedForMs?: number;
  /** The portal's Retry-After, shared by the list, history and who-am-I calls. */
  hold?: RetryAfterHold;
}

/**
 * Group chats from the Portal chat API. Portal chats are global resources, fetched with the
 * caller's `psession` cookie (and only that cookie), so they are cached per user and reused
 * across workspaces; `include_global=false` skips the portal entirely. Each load also says who
 * the caller is (for read markers) and what each chat's unread count is computed from.
 */
export function createPortalSource(config: PortalSourceConfig, deps: PortalSourceDeps): Source {
  const budgets = createPortalBudgets({
    clock: deps.clock,
    ...config.history,
    ...(deps.hold === undefined ? {} : { hold: deps.hold }),
  });
  const history = createHistoryTracker({
    source: config.name,
    baseUrl: config.baseUrl,
    ...deps,
    budgets,
    ...config.history,
  });
  const identities = createIdentityResolver({
    source: config.name,
    baseUrl: config.baseUrl,
    client: deps.client,
    budgets,
    logger: deps.logger,
    ttlMs: config.identityTtlMs,
    timeoutMs: config.timeoutMs,
    ...(deps.unauthorizedTtlMs === undefined ? {} : { refusedTtlMs: deps.unauthorizedTtlMs }),
  });
  const writer = createPortalWriter({ baseUrl: config.baseUrl, client: deps.client, budgets });
  // A write is laid over loads for as long as a load made before it can still be served.
  const recent = createRecentWrites({
    clock: deps.clock,
    ttlMs: Math.max(60_000, (deps.cachedForMs ?? 0) + 60_000),
  });

  const writes: PortalWrites = {
    whoIs: (cookie, callerKey, call) => identities.resolve(cookie, callerKey, call),
    async createChat(body, call) {
      const created = await writer.createChat(body, call);
      if (!created.ok) return created;
      const { chat, chatType } = created.value;
      const item = toGroupChatItem(chat, chatType, config.name, deps.clock.now());
      return { ok: true, value: { item: { ...item, unread_count: 0 } } };
    },
    sendMessage: (upstreamId, content, call) => writer.sendMessage(upstreamId, content, call),
    remember(effect) {
      if (effect.kind === "chat_created") {
        const upstreamId =
          effect.item.upstream_id ?? effect.item.id.slice(GROUP_CHAT_ID_PREFIX.length);
        const atMs = toEpochMs(effect.item.last_active) ?? deps.clock.now();
        history.noteWrite(upstreamId, { atMs, created: true });
      } else {
        const userId = effect.identity.slice(effect.identity.indexOf(":") + 1);
        history.noteWrite(effect.chatId.slice(GROUP_CHAT_ID_PREFIX.length), {
          atMs: effect.atMs,
          own: { position: effect.position, senderId: userId },
        });
      }
      recent.remember(effect);
    },
  };

  async function load(cookie: string, context: LoadContext) {
    const { signal, remainingMs, callerKey, trace } = context;
    // When the list was asked: a chat created after that is laid over this load (recent-writes).
    const fetchedAt = deps.clock.now();
    // Who the caller is is asked beside the list (and cached far longer), not after it.
    const identity = identities.resolve(cookie, callerKey, { signal, trace });
    const body = await deps.client.getJson(`${config.baseUrl}/v1/portal/chats`, {
      headers: { cookie: `psession=${cookie}` },
      signal,
      trace,
    });
    const { valid, dropped } = parseEach(listIn(body, "chats"), PortalChatUpstream);
    // Histories are charged to the user (all of a user's sessions share one budget), so the
    // identity asked beside the list is awaited first; it is usually there already.
    const who = await identity;
    const known = await history.lookup(
      valid.map((chat) => chat.id),
      {
        cookie,
        party: who.identity ?? callerKey,
        signal,
        remainingMs,
        ...(trace === undefined ? {} : { trace }),
      },
    );
    const unread = new Map<string, UnreadBasis>();
    const items = valid.map((chat) => {
      let chatType = normalizeChatType(chat.chat_type);
      if (chatType === null) {
        deps.logger.warn({
          event: "unknown_chat_type",
          source: config.name,
          chat_type: String(chat.chat_type).slice(0, 64),
        });
        chatType = "group";
      }
      const item = toGroupChatItem(
        chat,
        chatType,
        config.name,
        known.lastActive.get(chat.id) ?? null,
      );
      const basis = known.bases.get(chat.id);
      if (basis !== undefined) unread.set(item.id, basis);
      return item;
    });
    // Chats left undated show last_active null and sort last; say why, so nobody takes them
    // for inactive ones. A later request dates them as the budgets refill.
    const undated =
      known.undated === 0
        ? null
        : `${known.undated} ${known.undated === 1 ? "chat" : "chats"} not yet dated (history budget)`;
    return {
      items,
      dropped,
      note: undated,
      identity: who.identity,
      ...(who.identity === null ? { identityUnknown: who.reason } : {}),
      unread,
      fetchedAt,
    } satisfies SourceLoad;
  }

  return {
    name: config.name,
    kind: "portal",
    itemType: "group_chat",
    timeoutMs: config.timeoutMs,
    budgetLeft: () => budgets.left(),
    overlay: (load) => recent.overlay(load),
    writes,
    async identify(credentials, signal) {
      const cookie = credentials.psession;
      if (cookie === null) return null;
      const callerKey = credentials.psessionHash ?? sha256Hex(cookie);
      return (await identities.resolve(cookie, callerKey, { signal })).identity;
    },
    plan(query, credentials) {
      if (!query.includeGlobal) return { action: "skip" };
      const cookie = credentials.psession;
      // Nothing to ask with: skipped, not refused (DESIGN §1), and no upstream call.
      if (cookie === null) return { action: "skip", missingCredentials: "no psession cookie sent" };
      const callerKey = credentials.psessionHash ?? sha256Hex(cookie);
      return {
        action: "load",
        scope: {},
        credential: cookie,
        load: (context) => load(cookie, context),
        // A who-am-I failure is not an identity: a cached list asks again (one call per
        // session at a time, within the budgets) and shows the badges once it is known.
        knownIdentity(waitUntil) {
          const identity = identities.peek(callerKey);
          if (identity !== undefined) return identity;
          const asking = identities.resolve(cookie, callerKey, { signal: NEVER_ABORTED });
          waitUntil?.(asking);
          return null;
        },
      };
    },
  };
}

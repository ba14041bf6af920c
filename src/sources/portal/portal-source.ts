import type { PortalSourceConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { UpstreamClient } from "../../upstream/http-client.js";
import type { LoadContext, Source, SourceLoad } from "../source.js";
import { listIn, parseEach } from "../tolerant.js";
import { createHistoryTracker } from "./history.js";
import { normalizeChatType, PortalChatUpstream, toGroupChatItem } from "./portal-schema.js";

export interface PortalSourceDeps {
  client: UpstreamClient;
  clock: Clock;
  logger: Logger;
}

/**
 * Group chats from the Portal chat API. Portal chats are global resources, fetched with the
 * caller's `psession` cookie (and only that cookie), so they are cached per user and reused
 * across workspaces; `include_global=false` skips the portal entirely.
 */
export function createPortalSource(config: PortalSourceConfig, deps: PortalSourceDeps): Source {
  const history = createHistoryTracker({
    source: config.name,
    baseUrl: config.baseUrl,
    ...deps,
    ...config.history,
  });

  async function load(cookie: string, context: LoadContext) {
    const { signal, remainingMs, callerKey } = context;
    const body = await deps.client.getJson(`${config.baseUrl}/v1/portal/chats`, {
      headers: { cookie: `psession=${cookie}` },
      signal,
    });
    const { valid, dropped } = parseEach(listIn(body, "chats"), PortalChatUpstream);
    const { byId: lastActive, undated } = await history.lastActive(
      valid.map((chat) => chat.id),
      { cookie, callerKey, signal, remainingMs },
    );
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
      return toGroupChatItem(chat, chatType, config.name, lastActive.get(chat.id) ?? null);
    });
    // Chats left undated show last_active null and sort last; say why, so nobody takes them
    // for inactive ones. A later request dates them as the budgets refill.
    const note =
      undated === 0
        ? null
        : `${undated} ${undated === 1 ? "chat" : "chats"} not yet dated (history budget)`;
    return { items, dropped, note } satisfies SourceLoad;
  }

  return {
    name: config.name,
    kind: "portal",
    itemType: "group_chat",
    timeoutMs: config.timeoutMs,
    plan(query, credentials) {
      if (!query.includeGlobal) return { action: "skip" };
      const cookie = credentials.psession;
      if (cookie === null) return { action: "unauthorized", reason: "no psession cookie sent" };
      return {
        action: "load",
        scope: {},
        credential: cookie,
        load: (context) => load(cookie, context),
      };
    },
  };
}

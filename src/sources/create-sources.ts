import type { LocalSourceConfig, SourceConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { UpstreamClient } from "../upstream/http-client.js";
import { createRetryAfterHold } from "../upstream/retry-after-hold.js";
import { createAgentStoreSource } from "./agent-store.js";
import { createExecutorRegistrySource } from "./executor-registry.js";
import { createGroupChatStoreSource } from "./group-chat-store.js";
import type { LocalSourceFactory } from "./local/index.js";
import { createPortalSource } from "./portal/portal-source.js";
import type { Source } from "./source.js";

export interface SourceDeps {
  client: UpstreamClient;
  clock: Clock;
  logger: Logger;
  /** How long an upstream's refusal of a caller's credential is remembered. */
  unauthorizedTtlMs?: number;
  /** Node only: builds the local kinds (absent on Workers, which refuse them in config). */
  local?: LocalSourceFactory;
  /** How long a source result may be served from the cache at most (fresh, then stale): a
   * write through the gateway is laid over results that old (DESIGN §13). */
  cachedForMs?: number;
}

/** One adapter per configured source, in config order. Each HTTP source calls its upstream
 * through a Retry-After hold of its own (see retry-after-hold.ts). */
export function createSources(configs: readonly SourceConfig[], deps: SourceDeps): Source[] {
  const held = () => {
    const hold = createRetryAfterHold(deps.clock);
    return { ...deps, client: hold.wrap(deps.client), hold };
  };
  const local = (config: LocalSourceConfig) => {
    if (deps.local === undefined)
      throw new Error("local source kinds need the Node runtime's file system");
    return deps.local.create(config, deps);
  };
  return configs.map((config) => {
    switch (config.kind) {
      case "portal":
        return createPortalSource(config, held());
      case "executor_registry":
        return createExecutorRegistrySource(config, held());
      case "agent_store":
        return createAgentStoreSource(config, held());
      case "group_chat_store":
        return createGroupChatStoreSource(config, held());
      case "local_executors":
      case "local_agents":
      case "local_group_chats":
        return local(config);
      default:
        throw new Error(`unknown source kind: ${(config as { kind: string }).kind}`);
    }
  });
}

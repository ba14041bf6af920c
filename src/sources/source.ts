import type { SourceKind } from "../config/schema.js";
import { type ChatListItem, GROUP_CHAT_ID_PREFIX, type ItemType } from "../core/items.js";
import type { UnreadBasis } from "../core/unread.js";
import type { TraceContext } from "../observability/tracing.js";
import type { PortalWrites } from "./portal/portal-source.js";

/** What a request asks of every source, already validated and normalized. */
export interface SourceQuery {
  workspacePath: string | null;
  includeGlobal: boolean;
  /** The item types asked for; a source of another type is skipped. */
  types: readonly ItemType[];
}

/** The caller's credentials that some sources forward. Only portal sources read them. */
export interface Credentials {
  psession: string | null;
  /** SHA-256 of `psession`, when the caller already computed it (it is needed once per request). */
  psessionHash?: string | null;
}

export interface LoadContext {
  /** Fires at the source's timeout (or the request deadline): stop and give up. */
  signal: AbortSignal;
  /** Milliseconds left, now, before `signal` fires: for work that can end early with less,
   * such as the portal's history look-ups, which start only after the list has arrived. */
  remainingMs(): number;
  /** SHA-256 of the forwarded credential (hex), or "anonymous": for per-caller budgets. */
  callerKey: string;
  /** The load's span: every upstream call of the load passes it on (as `traceparent`). */
  trace?: TraceContext;
}

export interface SourceLoad {
  items: ChatListItem[];
  /** Upstream items that failed validation and were left out. */
  dropped: number;
  /** What loading cost (files read, directories listed...), for the request log. */
  cost?: Record<string, number>;
  /** Said in the source's report: what it left out or read only in part, and why. */
  note?: string | null;
  /** By item id: what each item's unread count is computed from, for the read state layer. */
  unread?: ReadonlyMap<string, UnreadBasis>;
  /** Whose read markers apply to these items (`<portal source>:<user id>`, or `local`); null
   * when the source could not tell, absent when its items have no read state. */
  identity?: string | null;
  /** Portal: when its list was asked (the clock's ms), so writes made later are laid over it. */
  fetchedAt?: number;
  /** Why `identity` is null: the report's note says the unread counts are unavailable. */
  identityUnknown?: string;
}

/** How one request uses one source. */
export type SourcePlan =
  | {
      action: "skip";
      /** Set when the caller sent no credentials for this source (a portal without a
       * `psession` cookie): said in the report's `note`; such a skip counts toward a 401 when
       * nothing answered (DESIGN §1). Absent: the request does not need the source. */
      missingCredentials?: string;
    }
  | {
      action: "load";
      /** Exactly what varies the upstream request, besides credentials: the cache scope. */
      scope: Record<string, string | boolean | null>;
      /** The forwarded credential, hashed into the cache key; null when none is forwarded. */
      credential: string | null;
      load(context: LoadContext): Promise<SourceLoad>;
      /** For a cached load whose identity is null (the upstream did not say who the caller
       * is): the identity if it is known by now, else null, having started to find out in the
       * background (never waiting), so a failure is not kept as the caller's identity for as
       * long as the load is cached. */
      knownIdentity?(waitUntil?: (work: Promise<unknown>) => void): string | null;
    };

export interface Source {
  readonly name: string;
  readonly kind: SourceKind;
  /** The type of every item this source yields. */
  readonly itemType: ItemType;
  readonly timeoutMs: number;
  plan(query: SourceQuery, credentials: Credentials): SourcePlan;
  /** Local kinds: the directories whose changes change this source's answer to `query`, for
   * the live feeds' disk watchers (DESIGN §9). */
  watchDirs?(query: SourceQuery): Promise<string[]>;
  /** Portal: calls left now in its gateway-wide budget (for /metrics). */
  budgetLeft?(): number;
  /** Sources that know who the caller is (the portal): the caller's identity, or null. */
  identify?(credentials: Credentials, signal: AbortSignal): Promise<string | null>;
  /** Portal: the writes made through the gateway since `load` was loaded, laid over it
   * (DESIGN §13); the very same load when there are none. */
  overlay?(load: SourceLoad): SourceLoad;
  /** Portal: creating chats and sending messages (DESIGN §13). */
  writes?: PortalWrites;
}

/**
 * A `gc-` id names a group chat (DESIGN §1): from a source that serves no group chats it is
 * malformed, dropped here and counted with the source's other malformed entries, so it can
 * neither impersonate a chat nor be mistaken for one.
 */
function withoutChatIds(itemType: ItemType, load: SourceLoad): SourceLoad {
  if (itemType === "group_chat") return load;
  const items = load.items.filter((item) => !item.id.startsWith(GROUP_CHAT_ID_PREFIX));
  if (items.length === load.items.length) return load;
  return { ...load, items, dropped: load.dropped + load.items.length - items.length };
}

/**
 * A source that forwards no credential and whose result varies only with the query values
 * `scopeOf` picks (by default workspace_path and include_global): every kind but the portal.
 */
export function queryScopedSource(options: {
  name: string;
  kind: SourceKind;
  itemType: ItemType;
  timeoutMs: number;
  scopeOf?: (query: SourceQuery) => Record<string, string | boolean | null>;
  load: (query: SourceQuery, context: LoadContext) => Promise<SourceLoad>;
  watchDirs?: (query: SourceQuery) => Promise<string[]>;
}): Source {
  const scopeOf =
    options.scopeOf ??
    ((query: SourceQuery) => ({
      workspace_path: query.workspacePath,
      include_global: query.includeGlobal,
    }));
  return {
    name: options.name,
    kind: options.kind,
    itemType: options.itemType,
    timeoutMs: options.timeoutMs,
    plan: (query) => ({
      action: "load",
      scope: scopeOf(query),
      credential: null,
      load: async (context) => withoutChatIds(options.itemType, await options.load(query, context)),
    }),
    ...(options.watchDirs === undefined ? {} : { watchDirs: options.watchDirs }),
  };
}

/**
 * About how much memory a source's load holds, for the cache's byte bound: its items as the
 * JSON they serialize to, times two for what objects cost beyond their text (measured: a
 * user's ten portal chats, 3.7 KB of JSON, held about 6 KiB with their unread bases), plus the
 * unread bases and a fixed cost per entry.
 */
export function estimatedLoadBytes(load: SourceLoad): number {
  return 256 + 2 * JSON.stringify(load.items).length + 64 * (load.unread?.size ?? 0);
}

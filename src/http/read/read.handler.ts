import type { RouteHandler } from "@hono/zod-openapi";
import type { Clock } from "../../core/clock.js";
import { GROUP_CHAT_ID_PREFIX, ITEM_TYPES } from "../../core/items.js";
import { toEpochMs, toIso } from "../../core/timestamps.js";
import type { MessagePosition } from "../../core/unread.js";
import type { Collected, Collector } from "../../sources/collect.js";
import { formatPosition, parsePosition } from "../../state/positions.js";
import type { IdentityEntries } from "../../state/read-marker-store.js";
import type { ReadState } from "../../state/read-state.js";
import { readableSources, withUnreadCounts } from "../../state/unread-counts.js";
import type { AppEnv } from "../app-env.js";
import type { Callers } from "../credentials.js";
import { ApiError } from "../problem.js";
import type { readRoute } from "./read.routes.js";

export interface ReadHandlerDeps {
  collector: Collector;
  readState: ReadState;
  clock: Clock;
  callers: Callers;
  /** The sources that serve group chats: when one of them failed, an id missing from the
   * caller's list may be one of its chats, so the answer is 503, not 404. */
  chatSources?: ReadonlySet<string>;
}

// A marker may run ahead of what the gateway has seen (the client heard of a message first),
// but not by more than this: a marker far in the future would hide every message to come.
const MAX_AHEAD_MS = 60_000;

interface Target {
  id: string;
  entry: Collected;
  identity: string;
  position: MessagePosition;
  kind: "portal" | "viben";
}

const isChatId = (id: string) => id.startsWith(GROUP_CHAT_ID_PREFIX);
const names = (ids: readonly string[]) => ids.join(", ");

/** The chat sources that gave no list this time (error, timeout): their chats are unknown. */
function failedChatSources(collected: readonly Collected[], chatSources: ReadonlySet<string>) {
  return collected
    .filter(({ report }) => chatSources.has(report.name))
    .filter(({ report }) => report.status === "error" || report.status === "timeout")
    .map(({ report }) => report);
}

/**
 * POST /api/chat-list/read (DESIGN §8). The caller's list (through the cache) says which ids the
 * caller may mark and whose markers they are; every id is checked before anything is written.
 */
export function createReadHandler({
  collector,
  readState,
  clock,
  callers,
  chatSources = new Set(),
}: ReadHandlerDeps): RouteHandler<typeof readRoute, AppEnv> {
  /** Where "everything known now" is for an item: its newest message the gateway holds. */
  function newestKnown(entry: Collected, id: string, lastActive: string | null): MessagePosition {
    const basis = entry.unread?.get(id);
    if (basis?.kind === "portal" && basis.newest !== null) return basis.newest;
    const ms = toEpochMs(lastActive);
    return { ms: ms ?? clock.now(), seq: 0 };
  }

  return async (c) => {
    const { workspace_path } = c.req.valid("query");
    const { items: asked } = c.req.valid("json");
    const caller = callers.of(c);
    const waitUntil = c.get("waitUntil");
    const trace = c.get("trace");
    const collected = await collector.collect(
      { workspacePath: workspace_path, includeGlobal: true, types: [...ITEM_TYPES] },
      caller,
      { ...(waitUntil === undefined ? {} : { waitUntil }), ...(trace ? { trace } : {}) },
    );

    const missing: string[] = [];
    const unreadable: string[] = [];
    const badPositions: string[] = [];
    const unknownCaller: string[] = [];
    const targets: Target[] = [];
    for (const { id, up_to } of asked) {
      const entry = collected.find((candidate) => candidate.items.some((item) => item.id === id));
      const item = entry?.items.find((candidate) => candidate.id === id);
      if (entry === undefined || item === undefined) {
        missing.push(id);
        continue;
      }
      if (item.type !== "group_chat" || entry.unread === undefined) {
        unreadable.push(id);
        continue;
      }
      if (typeof entry.identity !== "string") {
        unknownCaller.push(id);
        continue;
      }
      const given = up_to === undefined ? null : parsePosition(up_to);
      if (up_to !== undefined && given === null) {
        badPositions.push(id);
        continue;
      }
      let position = given ?? newestKnown(entry, id, item.last_active);
      const limit = clock.now() + MAX_AHEAD_MS;
      if (position.ms > limit) position = { ms: limit, seq: 0 };
      const kind = entry.report.kind === "portal" ? "portal" : "viben";
      targets.push({ id, entry, identity: entry.identity, position, kind });
    }
    // A chat id missing while a chat source failed may be one of that source's chats: say so
    // (503), rather than that the caller cannot see it. Other ids are missing for good.
    const failed = failedChatSources(collected, chatSources);
    const unknown = failed.length === 0 ? [] : missing.filter(isChatId);
    const absent = missing.filter((id) => !unknown.includes(id));
    if (absent.length > 0)
      throw new ApiError("not_found", `not in the caller's list: ${names(absent)}`, {
        ids: absent,
      });
    if (unknown.length > 0)
      throw new ApiError(
        "source_unavailable",
        `not known now: ${names(unknown)} (${failed
          .map((report) => `${report.name}: ${report.error ?? report.status}`)
          .join("; ")})`,
        { ids: unknown, sources: failed.map((report) => report.name) },
      );
    if (unreadable.length > 0)
      throw new ApiError(
        "not_readable",
        `no read state (not a chat the gateway counts): ${names(unreadable)}`,
        {
          ids: unreadable,
        },
      );
    if (badPositions.length > 0)
      throw new ApiError(
        "invalid_body",
        `up_to is neither a message id (<ms>-<seq>) nor an ISO-8601 timestamp: ${names(badPositions)}`,
        { ids: badPositions },
      );
    if (unknownCaller.length > 0)
      throw new ApiError(
        "state_unavailable",
        `the portal has not said who the caller is yet: ${names(unknownCaller)}`,
        { ids: unknownCaller },
      );

    // One write for every identity named (a portal chat and a local Viben chat are two): all
    // of it or nothing. A store that cannot span identities in one transaction (the Durable
    // Object: one per identity) gets one identity per request, and this one is refused whole.
    const batches: IdentityEntries[] = [...new Set(targets.map((target) => target.identity))].map(
      (identity) => ({
        identity,
        entries: targets
          .filter((target) => target.identity === identity)
          .map(({ id, position }) => ({ itemId: id, position })),
      }),
    );
    if (batches.length > 1 && !readState.marksAcrossIdentities)
      throw new ApiError(
        "invalid_body",
        `these chats' markers belong to ${batches.length} identities, which the ${readState.storeKind} store cannot write in one transaction: send one request per source; nothing was written: ${names(targets.map((target) => target.id))}`,
        { ids: targets.map((target) => target.id) },
      );

    // First sight before the mark, as the caller's first list would have done (DESIGN §8): a
    // chat marked before it was ever listed must not count its whole backlog as unread.
    const seen = await readState.snapshot(readableSources(collected), trace);
    if (seen.unavailable !== null) throw new ApiError("state_unavailable", seen.unavailable);

    const markers = new Map<string, MessagePosition>();
    try {
      const results = await readState.markReadAll(batches, trace);
      results.forEach((result, index) => {
        const { identity } = batches[index] as IdentityEntries;
        for (const [id, position] of result.markers) markers.set(`${identity}\n${id}`, position);
      });
    } catch (error) {
      throw new ApiError(
        "state_unavailable",
        "the read-state store is unreachable",
        {},
        {
          cause: error,
        },
      );
    }

    const snapshot = await readState.snapshot(readableSources(collected), trace);
    const items = targets.map(({ id, entry, identity, kind }) => {
      const marker = markers.get(`${identity}\n${id}`) as MessagePosition;
      const counted = withUnreadCounts(entry, snapshot).find((item) => item.id === id);
      return {
        id,
        unread_count: counted?.type === "group_chat" ? counted.unread_count : null,
        last_read: kind === "portal" ? formatPosition(marker) : (toIso(marker.ms) as string),
      };
    });
    c.header("Cache-Control", "no-store");
    return c.json({ items }, 200);
  };
}

import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Clock } from "../../core/clock.js";
import { type GroupChatItem, ITEM_TYPES } from "../../core/items.js";
import type { Logger } from "../../core/logger.js";
import type { TraceContext } from "../../observability/tracing.js";
import type { Collected, Collector } from "../../sources/collect.js";
import type { PortalWriteEffect } from "../../sources/portal/portal-writes.js";
import type { Source } from "../../sources/source.js";
import type { ReadState } from "../../state/read-state.js";
import { readableSources, withUnreadCounts } from "../../state/unread-counts.js";
import { createDeadline } from "../../upstream/deadline.js";
import { fingerprintOf } from "../../writes/idempotency.js";
import type { WriteEffects } from "../../writes/write-effects.js";
import type { WriteAnswer, WritePipeline } from "../../writes/write-pipeline.js";
import { IDEMPOTENCY_KEY } from "../../writes/write-requests.js";
import type { AppEnv } from "../app-env.js";
import type { Caller, Callers } from "../credentials.js";
import { ApiError, PROBLEM_CONTENT_TYPE } from "../problem.js";
import { headerOf } from "../request-header.js";
import { respond } from "../response-headers.js";
import type { createGroupChatRoute, sendMessageRoute } from "./group-chats.routes.js";

export interface GroupChatHandlerDeps {
  sources: readonly Source[];
  collector: Collector;
  readState: ReadState;
  callers: Callers;
  pipeline: WritePipeline;
  effects: WriteEffects;
  sha256Hex: (text: string) => string;
  logger: Logger;
  clock: Clock;
}

type PortalSource = Source & { writes: NonNullable<Source["writes"]> };

/** The Idempotency-Key header, checked (undefined when absent). */
function idempotencyKeyOf(c: Context<AppEnv>): string | undefined {
  const key = headerOf(c, "idempotency-key");
  if (key === undefined || IDEMPOTENCY_KEY.test(key)) return key;
  const message = "must be 1-64 characters of A-Z a-z 0-9 - _ . : ~";
  throw new ApiError("invalid_fields", `Idempotency-Key: ${message}`, {
    errors: [{ parameter: "Idempotency-Key", in: "header", message }],
  });
}

function cookieOf(caller: Caller): { cookie: string; callerKey: string } {
  if (caller.psession === null || caller.psessionHash === null)
    throw new ApiError(
      "unauthorized",
      "no psession cookie sent: the portal needs the caller's session",
    );
  return { cookie: caller.psession, callerKey: caller.psessionHash };
}

/** A write's answer as a response: never cached, a problem as problem+json. */
function sent(c: Context<AppEnv>, answer: WriteAnswer): Response {
  return respond(c, answer.body, answer.status, {
    "Content-Type": answer.status >= 400 ? PROBLEM_CONTENT_TYPE : "application/json",
    "Cache-Control": "no-store",
    ...answer.headers,
  });
}

/** POST /api/chat-list/group-chats and POST /api/chat-list/group-chats/{id}/messages (§13). */
export function createGroupChatHandlers(deps: GroupChatHandlerDeps) {
  const portals = deps.sources.filter(
    (source): source is PortalSource => source.writes !== undefined,
  );
  const portalNames = new Set(portals.map((source) => source.name));

  /** Who the caller is at `source`: 401 when the portal refuses the session. */
  async function identityAt(
    source: PortalSource,
    cookie: string,
    callerKey: string,
    trace: TraceContext | undefined,
  ): Promise<string> {
    const deadline = createDeadline(source.timeoutMs);
    try {
      const who = await source.writes.whoIs(cookie, callerKey, {
        signal: deadline.signal,
        ...(trace === undefined ? {} : { trace }),
      });
      if (who.identity !== null) return who.identity;
      if (who.unauthorized)
        throw new ApiError("unauthorized", "the portal refused the caller's session");
      throw new ApiError("portal_unavailable", who.reason);
    } finally {
      deadline.dispose();
    }
  }

  /** The caller's portal chats, through the cache (the other sources are not asked). */
  function portalChats(c: Context<AppEnv>, caller: Caller) {
    const waitUntil = c.get("waitUntil");
    const trace = c.get("trace");
    return deps.collector.collect(
      { workspacePath: null, includeGlobal: true, types: [...ITEM_TYPES] },
      { psession: caller.psession, psessionHash: caller.psessionHash },
      {
        only: portalNames,
        ...(waitUntil === undefined ? {} : { waitUntil }),
        ...(trace === undefined ? {} : { trace }),
      },
    );
  }

  /** The chat `id` of the caller's list, or the problem that says why there is none. */
  function findChat(collected: Collected[], id: string) {
    for (const entry of collected) {
      if (!portalNames.has(entry.report.name)) continue;
      const item = entry.items.find((candidate) => candidate.id === id);
      if (item?.type === "group_chat")
        return {
          entry,
          item,
          source: portals.find((p) => p.name === entry.report.name) as PortalSource,
        };
    }
    const reports = collected
      .filter((entry) => portalNames.has(entry.report.name))
      .map((entry) => entry.report);
    const answered = reports.some((report) => report.status === "ok" || report.status === "stale");
    if (!answered && reports.some((report) => report.status === "unauthorized"))
      throw new ApiError("unauthorized", "the portal refused the caller's session");
    // As POST /read: an id missing while a portal source failed may be one of its chats.
    const failed = reports.filter(
      (report) => report.status === "error" || report.status === "timeout",
    );
    if (failed.length > 0)
      throw new ApiError(
        "source_unavailable",
        `not known now: ${id} (${failed.map((report) => `${report.name}: ${report.error ?? report.status}`).join("; ")})`,
        { ids: [id], sources: failed.map((report) => report.name) },
      );
    throw new ApiError("not_found", `not a portal chat in the caller's list: ${id}`, { ids: [id] });
  }

  /** The chat as the caller's list shows it now (unread count from the caller's markers). */
  async function itemNow(
    c: Context<AppEnv>,
    caller: Caller,
    id: string,
  ): Promise<GroupChatItem | null> {
    const collected = await portalChats(c, caller);
    const markers = await deps.readState.snapshot(readableSources(collected), c.get("trace"));
    for (const entry of collected) {
      const item = withUnreadCounts(entry, markers).find((one) => one.id === id);
      if (item?.type === "group_chat") return item;
    }
    return null;
  }

  const createChat: RouteHandler<typeof createGroupChatRoute, AppEnv> = async (c) => {
    const { source_name } = c.req.valid("query");
    const body = c.req.valid("json");
    const key = idempotencyKeyOf(c);
    const caller = deps.callers.of(c);
    const source =
      source_name === undefined ? portals[0] : portals.find((p) => p.name === source_name);
    if (source === undefined)
      throw source_name === undefined
        ? new ApiError("not_found", "no portal source is configured to create chats in")
        : new ApiError("invalid_query", `source_name: no portal source named ${source_name}`, {
            errors: [{ parameter: "source_name", in: "query", message: "no such portal source" }],
          });
    const { cookie, callerKey } = cookieOf(caller);
    const trace = c.get("trace");
    const identity = await identityAt(source, cookie, callerKey, trace);
    const answer = await deps.pipeline.run({
      kind: "create_chat",
      source: source.name,
      identity,
      idempotencyKey: key,
      fingerprint: fingerprintOf(deps.sha256Hex, ["create_chat", source.name, body]),
      requestId: c.get("requestId"),
      timeoutMs: source.timeoutMs,
      trace,
      callUpstream: (call) => source.writes.createChat(body, { cookie, party: identity, ...call }),
      async apply({ item }) {
        const effect: PortalWriteEffect = {
          kind: "chat_created",
          identity,
          source: source.name,
          item,
        };
        deps.effects.applyHere(effect);
        await deps.effects.announce(effect);
        return { item };
      },
    });
    return sent(c, answer) as never;
  };

  const sendMessage: RouteHandler<typeof sendMessageRoute, AppEnv> = async (c) => {
    const { id } = c.req.valid("param");
    const { content } = c.req.valid("json");
    const key = idempotencyKeyOf(c);
    const caller = deps.callers.of(c);
    const { cookie, callerKey } = cookieOf(caller);
    const trace = c.get("trace");
    const { entry, item, source } = findChat(await portalChats(c, caller), id);
    const identity =
      typeof entry.identity === "string"
        ? entry.identity
        : await identityAt(source, cookie, callerKey, trace);
    const upstreamId = item.upstream_id ?? id.slice("gc-".length);
    const answer = await deps.pipeline.run({
      kind: "send_message",
      source: source.name,
      identity,
      idempotencyKey: key,
      fingerprint: fingerprintOf(deps.sha256Hex, ["send_message", id, content]),
      requestId: c.get("requestId"),
      timeoutMs: source.timeoutMs,
      trace,
      callUpstream: (call) =>
        source.writes.sendMessage(upstreamId, content, { cookie, party: identity, ...call }),
      async apply({ id: messageId, position }) {
        const effect: PortalWriteEffect = {
          kind: "message_sent",
          identity,
          source: source.name,
          chatId: id,
          position,
          atMs: deps.clock.now(),
        };
        // The lists first, so that the streams the marker's move refreshes show both at once.
        deps.effects.applyHere(effect, false);
        let moved = false;
        try {
          const marked = await deps.readState.markRead(identity, [{ itemId: id, position }], trace);
          moved = marked.changed.length > 0;
        } catch (error) {
          // The message is sent: the answer says so. The marker moves with the next list, which
          // finds the caller's own message in the chat's history.
          deps.logger.warn({
            event: "read_marker_write_failed",
            reason: error instanceof Error ? error.message : "unknown",
          });
        }
        if (!moved) deps.effects.refreshStreams(identity);
        await deps.effects.announce(effect);
        const now = await itemNow(c, caller, id).catch(() => null);
        return { id: messageId, item: now ?? item };
      },
    });
    return sent(c, answer) as never;
  };

  return { createChat, sendMessage };
}

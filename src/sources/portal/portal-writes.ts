import { z } from "zod";
import type { GroupChatItem } from "../../core/items.js";
import type { MessagePosition } from "../../core/unread.js";
import type { TraceContext } from "../../observability/tracing.js";
import type { UpstreamClient } from "../../upstream/http-client.js";
import { UpstreamError } from "../../upstream/upstream-error.js";
import { tolerantObject } from "../tolerant.js";
import type { PortalBudgets } from "./budgets.js";
import { classifyRefusal, type PortalRefusal } from "./portal-refusals.js";
import {
  type ChatType,
  normalizeChatType,
  type PortalChat,
  PortalChatUpstream,
} from "./portal-schema.js";

/** What `POST /v1/portal/chats` takes (seed 002); passed through as given. */
export interface CreateChatBody {
  name: string;
  description?: string;
  allow_control_requests?: boolean;
  browser_config?: Record<string, unknown>;
}

/** One write's part of a request: the caller's session, whom the budgets charge, and its span. */
export interface PortalWriteCall {
  cookie: string;
  /** The caller's identity (`portal:42`): the party the portal budgets charge. */
  party: string;
  /** Fires at the source's timeoutMs: the write is given up (and may still happen upstream). */
  signal: AbortSignal;
  trace?: TraceContext;
}

export type PortalWriteResult<T> = { ok: true; value: T } | { ok: false; refusal: PortalRefusal };

/** What a write changed, as every gateway instance applies it to its lists (DESIGN §13). It
 * never holds a message's content: only the item, or where the message stands. */
export type PortalWriteEffect =
  | { kind: "chat_created"; identity: string; source: string; item: GroupChatItem }
  | {
      kind: "message_sent";
      identity: string;
      source: string;
      /** The chat's item id (`gc-42`). */
      chatId: string;
      /** The message's stream id: where the caller's read marker moves. */
      position: MessagePosition;
      /** When it was sent (the writing gateway's clock, epoch ms): the chat's last_active. Not
       * the stream id's ms, which a portal's clock (or a fake's) may set apart from the
       * timestamps its history carries. */
      atMs: number;
    };

const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

const SentUpstream = tolerantObject({ id: z.string() });

/** A stream id `<ms>-<seq>` as a position, or null. */
export function streamPosition(id: string): MessagePosition | null {
  const match = STREAM_ID.exec(id.trim());
  if (match === null) return null;
  const ms = Number(match[1]);
  const seq = Number(match[2]);
  return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) ? { ms, seq } : null;
}

export interface PortalWriterOptions {
  baseUrl: string;
  client: UpstreamClient;
  budgets: PortalBudgets;
}

/**
 * The portal's two writes (seeds 002, 003): each goes out with the caller's cookie and only
 * that cookie, is charged to the portal budgets (the portal counts it like any call), and waits
 * while the portal's Retry-After holds. A refusal comes back as a value, never thrown.
 */
export function createPortalWriter({ baseUrl, client, budgets }: PortalWriterOptions) {
  async function post(
    path: string,
    json: unknown,
    call: PortalWriteCall,
    secret?: string,
  ): Promise<PortalWriteResult<unknown>> {
    const heldMs = budgets.heldForMs();
    if (heldMs > 0)
      return {
        ok: false,
        refusal: { kind: "rate_limited", detail: null, retryAfterMs: heldMs },
      };
    budgets.charge(call.party);
    let answer: Awaited<ReturnType<UpstreamClient["postJson"]>>;
    try {
      answer = await client.postJson(`${baseUrl}${path}`, {
        headers: { cookie: `psession=${call.cookie}` },
        json,
        signal: call.signal,
        ...(call.trace === undefined ? {} : { trace: call.trace }),
      });
    } catch (error) {
      if (call.signal.aborted || (error instanceof UpstreamError && error.kind === "timeout"))
        return { ok: false, refusal: { kind: "timeout", detail: null } };
      const reason = error instanceof Error ? error.message : "no answer";
      return { ok: false, refusal: { kind: "unavailable", detail: reason, status: null } };
    }
    if (answer.status >= 200 && answer.status < 300) {
      if (answer.body === undefined)
        return {
          ok: false,
          refusal: { kind: "unavailable", detail: "answer is not JSON", status: answer.status },
        };
      return { ok: true, value: answer.body };
    }
    const refusal = classifyRefusal(answer, secret);
    if (refusal.kind === "rate_limited" && refusal.retryAfterMs !== null)
      budgets.holdFor(refusal.retryAfterMs);
    return { ok: false, refusal };
  }

  /** Seed 002: creates a private group chat; the portal answers the chat (integer id). */
  async function createChat(
    body: CreateChatBody,
    call: PortalWriteCall,
  ): Promise<PortalWriteResult<{ chat: PortalChat; chatType: ChatType }>> {
    const result = await post("/v1/portal/chats", body, call);
    if (!result.ok) return result;
    const parsed = PortalChatUpstream.safeParse(result.value);
    if (!parsed.success)
      return {
        ok: false,
        refusal: {
          kind: "unavailable",
          detail: "the portal created the chat but its answer has no chat id",
          status: null,
        },
      };
    return {
      ok: true,
      value: { chat: parsed.data, chatType: normalizeChatType(parsed.data.chat_type) ?? "group" },
    };
  }

  /** Seed 003: sends a CiphertextV2 message; the portal answers its stream id. */
  async function sendMessage(
    upstreamId: string,
    content: string,
    call: PortalWriteCall,
  ): Promise<PortalWriteResult<{ id: string; position: MessagePosition }>> {
    const path = `/v1/portal/chats/${encodeURIComponent(upstreamId)}/messages`;
    const result = await post(path, { content }, call, content);
    if (!result.ok) return result;
    const parsed = SentUpstream.safeParse(result.value);
    const position = parsed.success ? streamPosition(parsed.data.id) : null;
    if (!parsed.success || position === null)
      return {
        ok: false,
        refusal: {
          kind: "unavailable",
          detail: "the portal took the message but its answer has no stream id",
          status: null,
        },
      };
    return { ok: true, value: { id: parsed.data.id.trim(), position } };
  }

  return { createChat, sendMessage };
}

export type PortalWriter = ReturnType<typeof createPortalWriter>;

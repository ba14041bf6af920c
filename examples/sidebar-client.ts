// A sidebar's use of the gateway through the typed client (hono/client): page through the whole
// list, poll cheaply with the ETag, mark chats read for all of the user's devices, create a chat
// and send a message (retried safely with an Idempotency-Key).
// Type-checked in CI and run by test/client.
//
//   npx tsx examples/sidebar-client.ts http://127.0.0.1:8787 [workspace_path]
import { hc } from "hono/client";
import type { AppType } from "../src/http/app.js";

export interface SidebarOptions {
  psession?: string;
  workspacePath?: string;
  pageSize?: number;
}

function client(baseUrl: string, options: SidebarOptions) {
  const headers: Record<string, string> =
    options.psession === undefined ? {} : { cookie: `psession=${options.psession}` };
  return hc<AppType>(baseUrl, { headers });
}

function queryOf(options: SidebarOptions, cursor?: string) {
  return {
    limit: String(options.pageSize ?? 50),
    ...(options.workspacePath === undefined ? {} : { workspace_path: options.workspacePath }),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** Loads every page of the list; returns its items, counts, and the first page's ETag. */
export async function loadSidebar(baseUrl: string, options: SidebarOptions = {}) {
  const api = client(baseUrl, options).api["chat-list"];
  const first = await api.$get({ query: queryOf(options) });
  if (first.status !== 200) throw new Error(`chat list failed: HTTP ${first.status}`);
  const etag = first.headers.get("etag");
  let page = await first.json();
  const items = [...page.items];
  while (page.next_cursor !== null) {
    const next = await api.$get({ query: queryOf(options, page.next_cursor) });
    if (next.status !== 200) throw new Error(`chat list page failed: HTTP ${next.status}`);
    page = await next.json();
    items.push(...page.items);
  }
  return { items, counts: page.counts, complete: page.complete, etag };
}

/** Asks whether the first page changed: null when it did not (304), else the new page. */
export async function revalidate(baseUrl: string, etag: string, options: SidebarOptions = {}) {
  const response = await client(baseUrl, options).api["chat-list"].$get(
    { query: queryOf(options) },
    { headers: { "if-none-match": etag } },
  );
  if (response.status === 304) return null;
  if (response.status !== 200) throw new Error(`chat list failed: HTTP ${response.status}`);
  return { page: await response.json(), etag: response.headers.get("etag") };
}

/**
 * Marks chats read up to a message (a portal message id or an ISO timestamp), or up to
 * everything the gateway knows of when `upTo` is absent. Returns each chat's marker and the
 * unread count it leaves; every other device of the user sees the same on its next list.
 */
export async function markRead(
  baseUrl: string,
  chats: { id: string; upTo?: string }[],
  options: SidebarOptions = {},
) {
  const response = await client(baseUrl, options).api["chat-list"].read.$post({
    query: options.workspacePath === undefined ? {} : { workspace_path: options.workspacePath },
    json: {
      items: chats.map(({ id, upTo }) => (upTo === undefined ? { id } : { id, up_to: upTo })),
    },
  });
  if (response.status !== 200) throw new Error(`mark read failed: HTTP ${response.status}`);
  return (await response.json()).items;
}

/** What a write answers when the gateway refuses it: its problem's code and detail. */
export class WriteRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

async function refusal(response: Response): Promise<WriteRefused> {
  const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
  return new WriteRefused(response.status, problem.code ?? "unknown", problem.detail ?? "");
}

/**
 * Creates a portal group chat (the sidebar's "+"); the item is in every device's list at once.
 * Pass the same `idempotencyKey` when retrying after a network error: the gateway answers the
 * retry without creating a second chat.
 */
export async function createGroupChat(
  baseUrl: string,
  chat: { name: string; description?: string; allowControlRequests?: boolean },
  options: SidebarOptions & { idempotencyKey?: string; sourceName?: string } = {},
) {
  const response = await client(baseUrl, options).api["chat-list"]["group-chats"].$post(
    {
      query: options.sourceName === undefined ? {} : { source_name: options.sourceName },
      json: {
        name: chat.name,
        ...(chat.description === undefined ? {} : { description: chat.description }),
        ...(chat.allowControlRequests === undefined
          ? {}
          : { allow_control_requests: chat.allowControlRequests }),
      },
    },
    idempotencyHeaders(options.idempotencyKey),
  );
  if (response.status !== 201) throw await refusal(response);
  return (await response.json()).item;
}

/**
 * Sends a CiphertextV2 message (`content`: the JSON string the encryption produced) to a portal
 * chat of the list. The chat's marker moves to it on every device; its `last_active` too.
 */
export async function sendMessage(
  baseUrl: string,
  chatId: string,
  content: string,
  options: SidebarOptions & { idempotencyKey?: string } = {},
) {
  const response = await client(baseUrl, options).api["chat-list"]["group-chats"][
    ":id"
  ].messages.$post(
    { param: { id: chatId }, json: { content } },
    idempotencyHeaders(options.idempotencyKey),
  );
  if (response.status !== 201) throw await refusal(response);
  return response.json();
}

function idempotencyHeaders(key: string | undefined) {
  return key === undefined ? {} : { headers: { "Idempotency-Key": key } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl = "http://127.0.0.1:8787", workspacePath] = process.argv.slice(2);
  const sidebar = await loadSidebar(baseUrl, workspacePath === undefined ? {} : { workspacePath });
  for (const item of sidebar.items)
    console.log(
      `${item.type.padEnd(10)} ${item.source.padEnd(9)} ${item.name}  (${item.last_active ?? "never"})`,
    );
  console.log(sidebar.counts, sidebar.complete ? "complete" : "incomplete");
  if (sidebar.etag !== null)
    console.log(
      (await revalidate(baseUrl, sidebar.etag)) === null ? "unchanged (304)" : "changed since",
    );
}

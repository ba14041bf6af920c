import type { FakeUpstream, RecordedCall, Reply, Route } from "./fake-upstream.js";

/** A portal message of chat 10: `seq` orders it, `sender` null for a system message. */
export const portalMessage = (seq: number, sender: number | null, type = "user") => ({
  chat_id: 10,
  id: `1710000000${String(seq).padStart(3, "0")}-0`,
  sender: sender === null ? null : { id: sender, username: `user${sender}` },
  type,
  content: "BASE64_CIPHERTEXT",
  timestamp: new Date(Date.UTC(2026, 2, 10, 12, 0, seq)).toISOString(),
});

// Sessions: Ana on her phone and her desktop (two cookies, one user), Bo, and Cy (who writes
// chat 10's first message).
const USERS: Record<string, { id: number; chats: number[] }> = {
  "ana-phone": { id: 1, chats: [10] },
  "ana-desktop": { id: 1, chats: [10] },
  bo: { id: 2, chats: [10, 20] },
  cy: { id: 3, chats: [10] },
};

export interface FakePortalOptions {
  /** Sent messages are not added to the history (a portal whose history lags its writes). */
  historyLags?: boolean;
}

type PortalMessage = ReturnType<typeof portalMessage>;

/**
 * A portal whose chat 10 is shared by Ana, Bo and Cy and chat 20 is Bo's alone, with /users/me
 * and a history of chat 10 the test appends to (Cy, user 3, writes the first message). It
 * answers the two writes (seeds 002, 003) as the portal does: a created chat joins its creator's
 * list (ids from 100), a sent message joins its chat's history with the next seq of chat 10's
 * numbering. `refuse` makes the next writes answer something else.
 */
export async function startFakePortal(
  upstream: (routes: Record<string, Route>) => Promise<FakeUpstream>,
  options: FakePortalOptions = {},
) {
  const history: PortalMessage[] = [portalMessage(1, 3)];
  const histories = new Map<string, PortalMessage[]>([
    ["10", history],
    ["20", []],
  ]);
  const chats = new Map<string, Record<string, unknown>>([
    ["10", { id: 10, chat_type: "group", name: "chat 10" }],
    ["20", { id: 20, chat_type: "group", name: "chat 20" }],
  ]);
  const members = new Map(
    Object.entries(USERS).map(([session, user]) => [session, { ...user, chats: [...user.chats] }]),
  );
  let nextChatId = 100;
  const state: {
    refuse: ((call: RecordedCall) => Reply | undefined) | undefined;
    held: Promise<void> | undefined;
  } = { refuse: undefined, held: undefined };
  const sessionOf = (call: RecordedCall) =>
    /psession=([^;]+)/.exec(String(call.headers.cookie))?.[1] ?? "";
  const session = (call: RecordedCall) => members.get(sessionOf(call));
  const seqOf = (message: PortalMessage) => Number(message.id.slice(10, 13));
  /** The seq the next message of chat 10's numbering gets. */
  const nextSeq = () => Math.max(0, ...[...histories.values()].flat().map(seqOf)) + 1;

  const historyRoute = (chatId: string) => () => ({ json: histories.get(chatId) ?? [] });
  const messagesRoute =
    (chatId: string) =>
    async (call: RecordedCall): Promise<Reply> => {
      await state.held;
      const user = session(call);
      if (user === undefined) return { status: 401, json: { detail: "Not authenticated" } };
      const refused = state.refuse?.(call);
      if (refused !== undefined) return refused;
      const seq = nextSeq();
      const message = {
        ...portalMessage(seq, user.id),
        chat_id: Number(chatId),
        content: (JSON.parse(call.body ?? "{}") as { content?: string }).content ?? "",
      };
      if (!options.historyLags) histories.get(chatId)?.push(message);
      return { json: { id: message.id } };
    };

  const server = await upstream({
    "/v1/users/me": (call: RecordedCall): Reply => {
      const user = session(call);
      return user === undefined ? { status: 401, json: {} } : { json: { id: user.id } };
    },
    "/v1/portal/chats": async (call: RecordedCall): Promise<Reply> => {
      const user = session(call);
      if (user === undefined) return { status: 401, json: { detail: "Not authenticated" } };
      if (call.method === "GET")
        return { json: user.chats.map((id) => chats.get(String(id))).filter(Boolean) };
      await state.held;
      const refused = state.refuse?.(call);
      if (refused !== undefined) return refused;
      const body = JSON.parse(call.body ?? "{}") as { name: string; description?: string };
      const id = String(nextChatId++);
      const chat = {
        id: Number(id),
        chat_type: "group",
        name: body.name,
        owner: { id: user.id, username: `user${user.id}`, avatar_url: null },
        visibility: "private",
        label: null,
        slug: null,
        description: body.description ?? null,
        avatar_url: null,
        archived: false,
      };
      chats.set(id, chat);
      histories.set(id, []);
      // Every session of the creator sees it (the portal lists chats per user).
      for (const member of members.values())
        if (member.id === user.id) member.chats.push(Number(id));
      server.route({
        [`/v1/portal/chats/${id}/history`]: historyRoute(id),
        [`/v1/portal/chats/${id}/messages`]: messagesRoute(id),
      });
      return { status: 201, json: chat };
    },
    "/v1/portal/chats/10/history": historyRoute("10"),
    "/v1/portal/chats/20/history": historyRoute("20"),
    "/v1/portal/chats/10/messages": messagesRoute("10"),
    "/v1/portal/chats/20/messages": messagesRoute("20"),
  });
  return {
    server,
    history,
    histories,
    nextSeq,
    /** Answers the next writes with `reply` (undefined: as the portal does) until set again. */
    refuse(reply: ((call: RecordedCall) => Reply | undefined) | undefined) {
      state.refuse = reply;
    },
    /** Holds every write the portal receives from now until the returned function is called. */
    hold(): () => void {
      let release = () => {};
      state.held = new Promise<void>((resolve) => {
        release = () => {
          state.held = undefined;
          resolve();
        };
      });
      return release;
    },
    /** The writes the portal received. */
    writes: () => server.calls.filter((call) => call.method === "POST"),
  };
}

/** A config with only that portal, caching nothing, so every list sees the latest history. */
export const uncachedPortalConfig = (url: string, extra: Record<string, unknown> = {}) => ({
  sources: [{ kind: "portal", name: "portal", baseUrl: url, history: { ttlMs: 0 } }],
  cache: { ttlMs: 0, staleIfErrorMs: 0 },
  ...extra,
});

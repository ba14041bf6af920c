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

// Sessions: Ana on her phone and her desktop (two cookies, one user), and Bo.
const USERS: Record<string, { id: number; chats: number[] }> = {
  "ana-phone": { id: 1, chats: [10] },
  "ana-desktop": { id: 1, chats: [10] },
  bo: { id: 2, chats: [10, 20] },
};

/**
 * A portal whose chat 10 is shared by Ana and Bo and chat 20 is Bo's alone, with /users/me
 * and a history of chat 10 the test appends to (Cy, user 3, writes the first message).
 */
export async function startFakePortal(
  upstream: (routes: Record<string, Route>) => Promise<FakeUpstream>,
) {
  const history = [portalMessage(1, 3)];
  const session = (call: RecordedCall) =>
    USERS[/psession=([^;]+)/.exec(String(call.headers.cookie))?.[1] ?? ""];
  const server = await upstream({
    "/v1/users/me": (call: RecordedCall): Reply => {
      const user = session(call);
      return user === undefined ? { status: 401, json: {} } : { json: { id: user.id } };
    },
    "/v1/portal/chats": (call: RecordedCall): Reply => {
      const user = session(call);
      if (user === undefined) return { status: 401, json: {} };
      return { json: user.chats.map((id) => ({ id, chat_type: "group", name: `chat ${id}` })) };
    },
    "/v1/portal/chats/10/history": () => ({ json: history }),
    "/v1/portal/chats/20/history": () => ({ json: [] }),
  });
  return { server, history };
}

/** A config with only that portal, caching nothing, so every list sees the latest history. */
export const uncachedPortalConfig = (url: string, extra: Record<string, unknown> = {}) => ({
  sources: [{ kind: "portal", name: "portal", baseUrl: url, history: { ttlMs: 0 } }],
  cache: { ttlMs: 0, staleIfErrorMs: 0 },
  ...extra,
});

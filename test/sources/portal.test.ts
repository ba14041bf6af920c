import { describe, expect, it } from "vitest";
import type { FakeUpstream, Route } from "../support/fake-upstream.js";
import type { TestGateway } from "../support/gateway.js";
import { useResources } from "../support/resources.js";

// DESIGN.md §2, `portal`: the whole gateway against a real loopback portal.

const resources = useResources();

const HEX_ID = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";
const CHATS = "/v1/portal/chats";
const historyOf = (id: string | number) => `/v1/portal/chats/${id}/history`;

interface Item {
  id: string;
  [field: string]: unknown;
}
interface SourceEntry {
  name: string;
  status: string;
  item_count: number;
  error: string | null;
}
interface ListBody {
  items: Item[];
  counts: { group_chats: number; executors: number; agents: number };
  sources: SourceEntry[];
  complete: boolean;
}

/** A portal chat as the docs list it (seeds/portal-list-chats.txt), with overrides. */
function chat(id: unknown, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    chat_type: "group",
    name: `chat-${String(id)}`,
    owner: null,
    visibility: "official",
    label: null,
    slug: null,
    description: null,
    avatar_url: null,
    secrets: [],
    archived: false,
    ...fields,
  };
}

/** A portal listing `chats`, each with an empty history unless `routes` says otherwise. */
async function portalWith(
  chats: unknown[],
  routes: Record<string, Route> = {},
): Promise<FakeUpstream> {
  const table: Record<string, Route> = { [CHATS]: { json: chats } };
  for (const entry of chats) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === "string" || typeof id === "number") table[historyOf(id)] = { json: [] };
  }
  const server = await resources.upstream({ ...table, ...routes });
  return server;
}

async function gatewayFor(portal: FakeUpstream): Promise<TestGateway> {
  const gateway = await resources.gateway({
    sources: [{ kind: "portal", name: "portal", baseUrl: portal.url, timeoutMs: 1500 }],
  });
  return gateway;
}

/** GET /api/chat-list as a user with the psession cookie "s1" (unless told otherwise). */
async function chatList(
  portal: FakeUpstream,
  init: { psession?: string; headers?: Record<string, string> } = { psession: "s1" },
  path = "/api/chat-list",
): Promise<{ status: number; body: ListBody }> {
  const gateway = await gatewayFor(portal);
  const response = await gateway.get(path, init);
  return { status: response.status, body: (await response.json()) as ListBody };
}

const itemById = (body: ListBody, id: string) => body.items.find((item) => item.id === id);

describe("portal source: ids", () => {
  it("emits a 32-hex string id and an integer id both as strings, as gc-<id> with upstream_id the id", async () => {
    const portal = await portalWith([chat(HEX_ID), chat(42)]);

    const { status, body } = await chatList(portal);

    expect(status).toBe(200);
    // upstream_id by item id: the integer id must come back as the string "42", not 42.
    expect(Object.fromEntries(body.items.map((item) => [item.id, item.upstream_id]))).toStrictEqual(
      {
        "gc-42": "42",
        [`gc-${HEX_ID}`]: HEX_ID,
      },
    );
    expect(body.counts.group_chats).toBe(2);
  });

  it("drops a malformed chat and keeps the others, the source staying ok", async () => {
    const portal = await portalWith([
      chat(HEX_ID, { name: "kept" }),
      { chat_type: "group", name: "no id at all" },
      chat({ nested: 1 }, { name: "object id" }),
      chat("", { name: "empty id" }),
      null,
      "not a chat",
      chat(7, { name: "also kept" }),
    ]);

    const { status, body } = await chatList(portal);

    expect(status).toBe(200);
    expect(body.items.map((item) => item.name).sort()).toEqual(["also kept", "kept"]);
    expect(body.counts.group_chats).toBe(2);
    expect(body.sources[0]).toMatchObject({ name: "portal", status: "ok", item_count: 2 });
    expect(body.complete).toBe(true);
  });
});

describe("portal source: chat types", () => {
  it.each([
    ["secret_chat", "secret"],
    ["secret_group", "secret"],
    ["SECRET_CHAT", "secret"],
    ["GROUP", "group"],
    ["Direct", "direct"],
  ])("normalizes chat_type %j to %j", async (raw, normalized) => {
    const portal = await portalWith([chat(HEX_ID, { chat_type: raw })]);

    const { body } = await chatList(portal);

    expect(itemById(body, `gc-${HEX_ID}`)?.chat_type).toBe(normalized);
  });

  it("keeps a chat with an unknown chat_type as a group chat", async () => {
    const portal = await portalWith([chat(HEX_ID, { chat_type: "broadcast_channel" })]);

    const { body } = await chatList(portal);

    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      id: `gc-${HEX_ID}`,
      type: "group_chat",
      chat_type: "group",
    });
    expect(body.sources[0]?.status).toBe("ok");
  });

  it("reads camelCase aliases such as chatType and avatarUrl", async () => {
    const portal = await portalWith([
      {
        id: HEX_ID,
        chatType: "direct",
        name: "ana",
        avatarUrl: "https://cdn.example.com/users/7/avatar.png",
      },
    ]);

    const { body } = await chatList(portal);

    expect(itemById(body, `gc-${HEX_ID}`)).toMatchObject({
      chat_type: "direct",
      avatar_url: "https://cdn.example.com/users/7/avatar.png",
      member_count: 2,
    });
  });
});

describe("portal source: members, archive and secrets", () => {
  it("keeps an archived direct chat with archived true and member_count 2", async () => {
    const portal = await portalWith([
      chat(42, { chat_type: "direct", name: "ana", visibility: "private", archived: true }),
    ]);

    const { body } = await chatList(portal);

    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      id: "gc-42",
      chat_type: "direct",
      archived: true,
      member_count: 2,
      is_global: true,
      workspace_path: null,
      unread_count: null,
    });
  });

  it("gives group and secret chats a null member_count", async () => {
    const portal = await portalWith([
      chat("1", { chat_type: "group" }),
      chat("2", { chat_type: "secret_chat" }),
    ]);

    const { body } = await chatList(portal);

    expect(itemById(body, "gc-1")?.member_count).toBeNull();
    expect(itemById(body, "gc-2")?.member_count).toBeNull();
    expect(body.items).toHaveLength(2);
  });

  it("keeps nested secrets inside their chat, not as items and not counted, with expires_at as ISO", async () => {
    const portal = await portalWith([
      chat(HEX_ID, {
        name: "general",
        secrets: [
          { id: 7, name: "ghostly-stranger", expires_at: 1773100000 },
          {
            id: "f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1",
            name: "neon-wanderer",
            expires_at: "2026-04-01T00:00:00+02:00",
          },
          { id: "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6", name: "no-expiry", expires_at: null },
        ],
      }),
    ]);

    const { body } = await chatList(portal);

    expect(body.items.map((item) => item.id)).toEqual([`gc-${HEX_ID}`]);
    expect(body.counts).toEqual({ group_chats: 1, executors: 0, agents: 0 });
    expect(body.sources[0]?.item_count).toBe(1);
    expect(body.items[0]?.secrets).toEqual([
      { id: "7", name: "ghostly-stranger", expires_at: "2026-03-09T23:46:40.000Z" },
      {
        id: "f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1",
        name: "neon-wanderer",
        expires_at: "2026-03-31T22:00:00.000Z",
      },
      { id: "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6", name: "no-expiry", expires_at: null },
    ]);
  });
});

describe("portal source: last_active from history", () => {
  it("dates a chat by the greatest timestamp among its messages", async () => {
    const portal = await portalWith([chat(HEX_ID)], {
      [historyOf(HEX_ID)]: {
        json: [
          { id: "1710000000000-0", timestamp: "2026-03-01T00:00:00Z" },
          { id: "1710000000001-0", timestamp: "2026-03-05T10:00:00Z" },
          { id: "1710000000002-0", timestamp: "2026-03-02T00:00:00Z" },
        ],
      },
    });

    const { body } = await chatList(portal);

    expect(itemById(body, `gc-${HEX_ID}`)?.last_active).toBe("2026-03-05T10:00:00.000Z");
  });

  it.each([
    ["no timestamp field", {}],
    ["a null timestamp", { timestamp: null }],
    ["an unreadable timestamp", { timestamp: "yesterday" }],
  ])("counts a message with %s by its stream id's milliseconds", async (_case, timestamp) => {
    const portal = await portalWith([chat(HEX_ID)], {
      [historyOf(HEX_ID)]: {
        json: [
          { id: "1700000000000-0", timestamp: "2023-11-14T22:13:20Z" },
          { id: "1710000000000-0", ...timestamp },
        ],
      },
    });

    const { body } = await chatList(portal);

    expect(itemById(body, `gc-${HEX_ID}`)?.last_active).toBe("2024-03-09T16:00:00.000Z");
  });

  it("dates a message that has a timestamp but no stream id by its timestamp", async () => {
    const portal = await portalWith([chat(HEX_ID)], {
      [historyOf(HEX_ID)]: {
        json: [{ id: "1710000000000-0" }, { type: "system", timestamp: "2026-03-10T12:00:00Z" }],
      },
    });

    const { body } = await chatList(portal);

    expect(itemById(body, `gc-${HEX_ID}`)?.last_active).toBe("2026-03-10T12:00:00.000Z");
  });

  it("lets the explicit timestamp win where ids and timestamps disagree (the docs' example)", async () => {
    // seeds/portal-chat-history.txt: the later stream id carries the earlier timestamp, and both
    // ids are two years older than the timestamps.
    const portal = await portalWith([chat(42, { name: "movie-night" })], {
      [historyOf(42)]: {
        json: [
          {
            chat_id: 42,
            chat_name: "movie-night",
            id: "1710000000000-0",
            sender: { id: 7, username: "exampleuser", avatar_url: null },
            permission_level: 0,
            content: "BASE64_CIPHERTEXT",
            type: "user",
            epoch: "a1b2c3d4e5f60001",
            timestamp: "2026-03-10T12:00:00Z",
          },
          {
            chat_id: 42,
            chat_name: "movie-night",
            id: "1710000000001-0",
            sender: null,
            permission_level: null,
            content: "exampleuser joined the chat",
            type: "system",
            epoch: "0000000000000000",
            timestamp: "2026-03-10T11:59:00Z",
          },
        ],
      },
    });

    const { body } = await chatList(portal);

    expect(itemById(body, "gc-42")?.last_active).toBe("2026-03-10T12:00:00.000Z");
  });

  it("leaves last_active null for a chat whose history call fails, the source staying ok", async () => {
    const portal = await portalWith([chat("broken"), chat("fine")], {
      [historyOf("broken")]: { status: 500, json: { detail: "Internal Server Error" } },
      [historyOf("fine")]: { json: [{ id: "1-0", timestamp: "2026-03-10T12:00:00Z" }] },
    });

    const { status, body } = await chatList(portal);

    expect(status).toBe(200);
    expect(itemById(body, "gc-broken")?.last_active).toBeNull();
    expect(itemById(body, "gc-fine")?.last_active).toBe("2026-03-10T12:00:00.000Z");
    expect(portal.callsTo(historyOf("broken"))).toHaveLength(1);
    expect(body.sources[0]).toMatchObject({ status: "ok", item_count: 2, error: null });
    expect(body.complete).toBe(true);
  });
});

describe("portal source: the psession cookie", () => {
  const cookieHeader = "theme=dark; psession=abc123; _ga=GA1.2.3.4";

  it("forwards only the psession cookie to the chat list", async () => {
    const portal = await portalWith([chat(HEX_ID)]);

    await chatList(portal, { headers: { cookie: cookieHeader } });

    const calls = portal.callsTo(CHATS);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.cookie).toBe("psession=abc123");
  });

  it("forwards only the psession cookie to history calls too", async () => {
    const portal = await portalWith([chat(HEX_ID), chat(42)]);

    await chatList(portal, { headers: { cookie: cookieHeader } });

    const historyCalls = [...portal.callsTo(historyOf(HEX_ID)), ...portal.callsTo(historyOf(42))];
    expect(historyCalls).toHaveLength(2);
    expect(historyCalls.map((call) => call.headers.cookie)).toEqual([
      "psession=abc123",
      "psession=abc123",
    ]);
  });

  it.each([
    ["no Cookie header", {}],
    ["a Cookie header without psession", { headers: { cookie: "theme=dark; _ga=GA1.2.3.4" } }],
  ])(
    "is skipped with a note and calls no upstream when the caller sends %s",
    async (_case, init) => {
      const portal = await portalWith([chat(HEX_ID)]);

      const { status, body } = await chatList(portal, init);

      // The portal is the only source and it had nothing to ask with: 401, as DESIGN §1 says.
      expect(status).toBe(401);
      expect(body.sources).toHaveLength(1);
      expect(body.sources[0]).toMatchObject({
        name: "portal",
        status: "skipped",
        note: "no psession cookie sent",
        error: null,
      });
      expect(portal.calls).toHaveLength(0);
    },
  );

  it.each([401, 403])("reports unauthorized when the portal answers %i", async (code) => {
    const portal = await portalWith([chat(HEX_ID)], {
      [CHATS]: { status: code, json: { detail: "Not authenticated" } },
    });

    const { status, body } = await chatList(portal);

    expect(status).toBe(401);
    expect(body.sources[0]).toMatchObject({ name: "portal", status: "unauthorized" });
    expect(portal.callsTo(historyOf(HEX_ID))).toHaveLength(0);
  });

  it("is skipped without any upstream call when include_global=false", async () => {
    const portal = await portalWith([chat(HEX_ID)]);

    const { status, body } = await chatList(
      portal,
      { psession: "s1" },
      "/api/chat-list?include_global=false",
    );

    expect(status).toBe(200);
    expect(body.items).toEqual([]);
    expect(body.sources[0]).toMatchObject({ name: "portal", status: "skipped" });
    expect(portal.calls).toHaveLength(0);
  });
});

import { describe, expect, it } from "vitest";
import { portalMessage, startFakePortal } from "../support/fake-portal.js";
import { useNodeEntry } from "../support/node-entry.js";
import { postgresUnavailable, usePostgresDatabase } from "../support/postgres.js";
import { useResources } from "../support/resources.js";
import { openSse, type SseClient } from "../support/sse-client.js";
import { ciphertext, writesOf } from "../support/writes.js";

const { upstream } = useResources();
const startEntry = useNodeEntry();
const database = usePostgresDatabase();

type Item = { id: string; last_active: string | null; unread_count: number | null };
const upserted = (data: string, id: string) =>
  (JSON.parse(data) as { upsert?: Item[] }).upsert?.find((item) => item.id === id);

/** A gateway process (the real Node entry) with its state in PostgreSQL. `cached`: the portal
 * cached for a minute, so what its streams show of another instance's write, they show because
 * they heard of it (NOTIFY) and laid it over what they hold. */
async function gatewayOn(portalUrl: string, cached: boolean) {
  const history = cached ? { ttlMs: 60_000 } : { ttlMs: 0 };
  const config = {
    sources: [{ kind: "portal", name: "portal", baseUrl: portalUrl, history }],
    cache: cached ? { ttlMs: 60_000 } : { ttlMs: 0, staleIfErrorMs: 0 },
    live: { refreshMs: 60_000, minIntervalMs: 0 },
    state: { kind: "postgres", url: database.url },
  };
  const run = startEntry({ CHAT_LIST_CONFIG_JSON: JSON.stringify(config) });
  const list = await run.listening;
  const base = list.replace(/\/api\/chat-list$/, "");
  return {
    ...writesOf(base),
    run,
    list: async (psession: string) =>
      (
        (await (await fetch(list, { headers: { cookie: `psession=${psession}` } })).json()) as {
          items: Item[];
        }
      ).items,
    stream: async (psession: string): Promise<SseClient> => {
      const client = await openSse(`${list}/stream`, { cookie: `psession=${psession}` });
      await client.next((event) => event.event === "snapshot", 10_000);
      return client;
    },
  };
}

describe("writes across two gateway processes sharing one PostgreSQL", () => {
  it("a chat created through one reaches the other's streams and lists; a message sent through that one reaches the first's; markers and answers are shared", async (t) => {
    const skip = postgresUnavailable();
    if (skip !== undefined) return t.skip(skip);
    const portal = await startFakePortal(upstream);
    const [phoneSide, desktopSide] = await Promise.all([
      gatewayOn(portal.server.url, false),
      gatewayOn(portal.server.url, true),
    ]);
    const desktop = await desktopSide.stream("ana-desktop");
    const phone = await phoneSide.stream("ana-phone");
    try {
      const listsBefore = portal.server.callsTo("/v1/portal/chats").length;
      const fromDesktop = desktop.events.length;
      const created = await phoneSide.createChat({ name: "war-room" }, { psession: "ana-phone" });
      const createdAt = Date.now();
      expect(created.status).toBe(201);
      const reached = await desktop.next(
        (event) => event.event === "patch" && upserted(event.data, "gc-100") !== undefined,
        5000,
        fromDesktop,
      );
      const createToPatchMs = reached.at - createdAt;
      expect(createToPatchMs).toBeLessThan(1000);
      expect((await desktopSide.list("ana-desktop")).map((item) => item.id)).toContain("gc-100");
      // The desktop's side answered from its cache, the write laid over it: no portal list call
      // but the phone side's own (it caches nothing).
      const desktopListCalls = portal.server
        .callsTo("/v1/portal/chats")
        .slice(listsBefore)
        .filter(
          (call) => call.method === "GET" && String(call.headers.cookie).includes("ana-desktop"),
        );
      expect(desktopListCalls).toEqual([]);

      const before = (await phoneSide.list("ana-phone")).find(
        (item) => item.id === "gc-10",
      ) as Item;
      const fromPhone = phone.events.length;
      const { content, ct } = ciphertext();
      const sent = await desktopSide.send(
        "gc-10",
        { content },
        { psession: "ana-desktop", key: "send-1" },
      );
      const sentAt = Date.now();
      expect(sent.status).toBe(201);
      const moved = await phone.next(
        (event) => {
          if (event.event !== "patch") return false;
          const item = upserted(event.data, "gc-10");
          return item?.unread_count === 0 && item.last_active !== before.last_active;
        },
        5000,
        fromPhone,
      );
      const sendToPatchMs = moved.at - sentAt;
      expect(sendToPatchMs).toBeLessThan(1000);

      // The retry lands on the other instance: answered from PostgreSQL, no second send.
      const retried = await phoneSide.send(
        "gc-10",
        { content },
        { psession: "ana-phone", key: "send-1" },
      );
      expect(retried.status).toBe(201);
      expect(retried.headers.get("idempotent-replayed")).toBe("true");
      expect(portal.writes().filter((call) => call.path.endsWith("/messages"))).toHaveLength(1);

      // Cy answers: the marker (in PostgreSQL) sits on the desktop's message, so one unread.
      portal.history.push(portalMessage(portal.nextSeq(), 3));
      expect((await phoneSide.list("ana-phone")).find((item) => item.id === "gc-10")).toMatchObject(
        {
          unread_count: 1,
        },
      );
      const logs = [phoneSide.run.output(), desktopSide.run.output()]
        .map(({ stdout, stderr }) => stdout + stderr)
        .join("\n");
      expect(logs).not.toContain(ct);
      t.annotate(
        `across processes, write→patch: create ${createToPatchMs} ms, send ${sendToPatchMs} ms`,
      );
    } finally {
      desktop.close();
      phone.close();
    }
  }, 60_000);
});

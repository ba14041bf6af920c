import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { createLiveStreams } from "../../src/live/streams.js";
import { portalMessage, startFakePortal } from "../support/fake-portal.js";
import { manualTimers } from "../support/manual-timers.js";
import { useResources } from "../support/resources.js";
import { openSse, type SseClient } from "../support/sse-client.js";
import { ciphertext, writesOf } from "../support/writes.js";

const { upstream, gateway } = useResources();

type Item = { id: string; last_active: string | null; unread_count: number | null };
const parsed = (data: string) => JSON.parse(data) as { items?: Item[]; upsert?: Item[] };
const itemIn = (items: Item[] | undefined, id: string) => items?.find((item) => item.id === id);

/**
 * One gateway on a loopback portal, with its clock and its streams' timers moved by hand: the
 * caches stay fresh (so the lists must show writes without a refetch), and a stream's refresh
 * loop runs only when the test moves time — so a patch that arrives otherwise came from a write.
 */
async function setUp(portalOptions: Parameters<typeof startFakePortal>[1] = {}) {
  const portal = await startFakePortal(upstream, portalOptions);
  const time = manualTimers();
  const live = createLiveStreams({
    maxStreamsPerCaller: 8,
    maxStreams: 100,
    clock: time.clock,
    timers: time.timers,
    logger: silentLogger,
  });
  const gw = await gateway(
    {
      sources: [
        { kind: "portal", name: "portal", baseUrl: portal.server.url, history: { ttlMs: 60_000 } },
      ],
      cache: { ttlMs: 60_000 },
    },
    { clock: time.clock, live },
  );
  const open: SseClient[] = [];
  const stream = async (psession: string) => {
    const client = await openSse(`${gw.url}/api/chat-list/stream`, {
      cookie: `psession=${psession}`,
    });
    open.push(client);
    const snapshot = await client.next((event) => event.event === "snapshot", 5000);
    return { client, snapshot: parsed(snapshot.data) };
  };
  const listCalls = () =>
    portal.server.callsTo("/v1/portal/chats").filter((c) => c.method === "GET");
  return {
    portal,
    time,
    gw,
    stream,
    listCalls,
    writes: writesOf(gw.url),
    close: () => {
      for (const client of open) client.close();
    },
  };
}

/** The first patch after `from` that upserts `id` (optionally one that passes `also`). */
function patchOf(
  client: SseClient,
  id: string,
  from: number,
  also: (item: Item) => boolean = () => true,
) {
  return client.next(
    (event) => {
      if (event.event !== "patch") return false;
      const item = itemIn(parsed(event.data).upsert, id);
      return item !== undefined && also(item);
    },
    5000,
    from,
  );
}

describe("writes through the gateway, read back at once on every device (Node, one process)", () => {
  it("a chat created on the phone is in the desktop's stream within 100 ms and in its next list; a message sent from the desktop moves the phone's last_active and leaves it unread 0; another user's message then counts 1", async (t) => {
    const { portal, time, gw, stream, listCalls, writes, close } = await setUp();
    try {
      const desktop = await stream("ana-desktop");
      const phone = await stream("ana-phone");
      expect(itemIn(phone.snapshot.items, "gc-10")).toMatchObject({ unread_count: 0 });
      const etagBefore = (await gw.get("/api/chat-list", { psession: "ana-desktop" })).headers.get(
        "etag",
      );
      const listsBefore = listCalls().length;
      // Past live.minIntervalMs since the snapshots, on the streams' clock.
      await time.advance(1000);

      // Create on the phone: the desktop (same user, another cookie) sees it.
      const from = desktop.client.events.length;
      const created = await writes.createChat(
        { name: "release-war-room", description: "Release coordination" },
        { psession: "ana-phone" },
      );
      const createdAt = Date.now();
      expect(created.status).toBe(201);
      const { item } = (await created.json()) as { item: Item & Record<string, unknown> };
      expect(item).toMatchObject({
        id: "gc-100",
        type: "group_chat",
        name: "release-war-room",
        description: "Release coordination",
        unread_count: 0,
        upstream_id: "100",
        source_name: "portal",
        last_active: new Date(time.clock.now()).toISOString(),
      });
      const patch = await patchOf(desktop.client, "gc-100", from);
      const createToPatchMs = patch.at - createdAt;
      expect(createToPatchMs).toBeLessThan(100);
      const desktopList = await gw.get("/api/chat-list", { psession: "ana-desktop" });
      const desktopBody = (await desktopList.json()) as { items: Item[] };
      expect(itemIn(desktopBody.items, "gc-100")).toMatchObject({ unread_count: 0 });
      expect(desktopList.headers.get("etag")).not.toBe(etagBefore);
      // From the cached results: the portal's list was not asked again.
      expect(listCalls().length).toBe(listsBefore);

      // Send from the desktop: the phone's chat 10 moves up, and the own message is read.
      await time.advance(1000);
      const before = itemIn(phone.snapshot.items, "gc-10") as Item;
      const fromPhone = phone.client.events.length;
      const { content } = ciphertext();
      const sentResponse = await writes.send("gc-10", { content }, { psession: "ana-desktop" });
      const sentAt = Date.now();
      expect(sentResponse.status).toBe(201);
      const sentBody = (await sentResponse.json()) as { id: string; item: Item };
      expect(sentBody.id).toMatch(/^\d+-\d+$/);
      expect(sentBody.item).toMatchObject({ id: "gc-10", unread_count: 0 });
      const moved = await patchOf(
        phone.client,
        "gc-10",
        fromPhone,
        (one) => one.last_active !== before.last_active && one.unread_count === 0,
      );
      const sendToPatchMs = moved.at - sentAt;
      expect(sendToPatchMs).toBeLessThan(100);
      const movedItem = itemIn(parsed(moved.data).upsert, "gc-10") as Item;
      expect(Date.parse(movedItem.last_active as string)).toBeGreaterThan(
        Date.parse(before.last_active as string),
      );
      expect(portal.writes().map((call) => call.path)).toEqual([
        "/v1/portal/chats",
        "/v1/portal/chats/10/messages",
      ]);

      // Cy answers; once the phone's list is refreshed (the loop, when its time comes), it
      // counts that one message: the marker sits exactly on the desktop's message.
      portal.history.push(portalMessage(portal.nextSeq(), 3));
      const fromCy = phone.client.events.length;
      await time.advance(61_000);
      await patchOf(phone.client, "gc-10", fromCy, (one) => one.unread_count === 1);
      t.annotate(`write→patch: create ${createToPatchMs} ms, send ${sendToPatchMs} ms`);
    } finally {
      close();
    }
  });
});

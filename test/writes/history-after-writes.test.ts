import { describe, expect, it } from "vitest";
import { portalMessage, startFakePortal, uncachedPortalConfig } from "../support/fake-portal.js";
import { manualClock } from "../support/gateway.js";
import { useResources } from "../support/resources.js";
import { ciphertext, writesOf } from "../support/writes.js";

const { upstream, gateway } = useResources();

type Item = { id: string; last_active: string | null; unread_count: number | null };

describe("a history fetched after a write", () => {
  it("does not take back a sent message's last_active nor count it, though the portal's history does not show it yet", async () => {
    const portal = await startFakePortal(upstream, { historyLags: true });
    const clock = manualClock(Date.UTC(2026, 10, 22, 9));
    // Nothing cached: every list asks the portal's list and the chat's history again.
    const gw = await gateway(uncachedPortalConfig(portal.server.url), { clock });
    const chat10 = async (psession = "bo") =>
      (
        (await (await gw.get("/api/chat-list", { psession })).json()) as { items: Item[] }
      ).items.find((item) => item.id === "gc-10") as Item;
    expect(await chat10()).toMatchObject({
      last_active: "2026-03-10T12:00:01.000Z",
      unread_count: 0,
    });
    expect(await chat10("cy")).toMatchObject({ unread_count: 0 });
    portal.history.push(portalMessage(2, 3));
    expect(await chat10()).toMatchObject({ unread_count: 1 });

    clock.advance(60_000);
    const sentAt = new Date(clock.now()).toISOString();
    const sent = await writesOf(gw.url).send(
      "gc-10",
      { content: ciphertext().content },
      { psession: "bo" },
    );
    expect(sent.status).toBe(201);
    const historyCalls = portal.server.callsTo("/v1/portal/chats/10/history").length;
    clock.advance(60_000);
    const after = await chat10();
    expect(portal.server.callsTo("/v1/portal/chats/10/history").length).toBeGreaterThan(
      historyCalls,
    );
    expect(after).toMatchObject({ last_active: sentAt, unread_count: 0 });
    // Another member's list: the chat's dates are per chat, so Cy sees it moved too, and Bo's
    // message as one more unread (user 3 wrote the one before it himself).
    expect(await chat10("cy")).toMatchObject({ last_active: sentAt, unread_count: 1 });

    // Cy writes after the message (the portal's numbering): one unread again.
    portal.history.push(portalMessage(portal.nextSeq() + 1, 3));
    expect(await chat10()).toMatchObject({ last_active: sentAt, unread_count: 1 });
  });

  it("keeps a new chat dated at its creation when its empty history is fetched later", async () => {
    const portal = await startFakePortal(upstream);
    const clock = manualClock(Date.UTC(2026, 10, 22, 9));
    const gw = await gateway(uncachedPortalConfig(portal.server.url), { clock });
    const created = await writesOf(gw.url).createChat({ name: "team" }, { psession: "bo" });
    expect(created.status).toBe(201);
    clock.advance(120_000);
    const items = (
      (await (await gw.get("/api/chat-list", { psession: "bo" })).json()) as { items: Item[] }
    ).items;
    expect(portal.server.callsTo("/v1/portal/chats/100/history").length).toBeGreaterThan(0);
    expect(items.find((item) => item.id === "gc-100")).toMatchObject({
      last_active: "2026-11-22T09:00:00.000Z",
      unread_count: 0,
    });
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { portalMessage, startFakePortal, uncachedPortalConfig } from "../support/fake-portal.js";
import { useNodeEntry } from "../support/node-entry.js";
import {
  createTestDatabase,
  postgresUnavailable,
  usePostgresDatabase,
} from "../support/postgres.js";
import { type PostgresServer, startPostgresServer } from "../support/postgres-server.js";
import { useResources } from "../support/resources.js";
import { openSse } from "../support/sse-client.js";

const { upstream } = useResources();
const startEntry = useNodeEntry();
const database = usePostgresDatabase();

type Body = {
  items: { id: string; unread_count: number | null }[];
  sources: { name: string; status: string; note: string | null }[];
};

/** A gateway process (the real Node entry) with its read markers in PostgreSQL at `url`. */
async function gatewayOn(portalUrl: string, url: string) {
  const config = uncachedPortalConfig(portalUrl, { state: { kind: "postgres", url } });
  const run = startEntry({ CHAT_LIST_CONFIG_JSON: JSON.stringify(config) });
  const list = await run.listening;
  return {
    list: async (psession: string) =>
      (await (await fetch(list, { headers: { cookie: `psession=${psession}` } })).json()) as Body,
    markRead: (psession: string, items: unknown) =>
      fetch(`${list}/read`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: `psession=${psession}` },
        body: JSON.stringify({ items }),
      }),
    streamUrl: `${list}/stream`,
  };
}

const unreadOf = (body: Body) => body.items.find((item) => item.id === "gc-10")?.unread_count;

describe("two gateway processes sharing one PostgreSQL", () => {
  it("show a mark made on one in the other's next list", async (t) => {
    const skip = postgresUnavailable();
    if (skip !== undefined) return t.skip(skip);
    const { server, history } = await startFakePortal(upstream);
    const [one, two] = await Promise.all([
      gatewayOn(server.url, database.url),
      gatewayOn(server.url, database.url),
    ]);
    expect(unreadOf(await one.list("ana-phone"))).toBe(0);
    history.push(portalMessage(2, 3), portalMessage(3, 3));
    expect(unreadOf(await two.list("ana-desktop"))).toBe(2);
    expect((await one.markRead("ana-phone", [{ id: "gc-10" }])).status).toBe(200);
    expect(unreadOf(await two.list("ana-desktop"))).toBe(0);
  }, 40_000);

  it("patch a stream held by one within 1 s of a mark made on the other", async (t) => {
    const skip = postgresUnavailable();
    if (skip !== undefined) return t.skip(skip);
    const { server, history } = await startFakePortal(upstream);
    const [one, two] = await Promise.all([
      gatewayOn(server.url, database.url),
      gatewayOn(server.url, database.url),
    ]);
    await one.list("bo");
    history.push(portalMessage(2, 3));
    const live = await openSse(two.streamUrl, { cookie: "psession=bo" });
    try {
      const snapshot = await live.next((event) => event.event === "snapshot", 5000);
      expect(unreadOf(JSON.parse(snapshot.data))).toBe(1);
      const marked = Date.now();
      expect((await one.markRead("bo", [{ id: "gc-10" }])).status).toBe(200);
      const patch = await live.next((event) => event.event === "patch", 1000);
      expect(patch.at - marked).toBeLessThan(1000);
      expect(JSON.parse(patch.data).upsert).toEqual([
        expect.objectContaining({ id: "gc-10", unread_count: 0 }),
      ]);
    } finally {
      live.close();
    }
  }, 40_000);
});

describe("a gateway whose PostgreSQL goes down", () => {
  // Stopped and started by the test: its own server, not the run's shared one.
  let own: PostgresServer | undefined;
  let url = "";
  beforeAll(async () => {
    if (inject("postgres").url === null) return;
    own = await startPostgresServer();
    url = (await createTestDatabase(own.url)).url;
  }, 30_000);
  afterAll(async () => {
    await own?.destroy();
  });

  it("still lists with unread counts null and a note, answers POST /read 503, then recovers", async (t) => {
    const skip = postgresUnavailable();
    if (skip !== undefined || own === undefined) return t.skip(skip ?? "no server");
    const { server, history } = await startFakePortal(upstream);
    const gateway = await gatewayOn(server.url, url);
    expect(unreadOf(await gateway.list("bo"))).toBe(0);
    history.push(portalMessage(2, 3));

    await own.stop();
    // Markers already read are reused for up to 10 s; then the store is asked, and is gone.
    let down = await gateway.list("bo");
    await expect
      .poll(
        async () => {
          down = await gateway.list("bo");
          return unreadOf(down);
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBeNull();
    expect(down.sources[0]).toMatchObject({
      status: "ok",
      note: expect.stringContaining("unread counts unavailable"),
    });
    const refused = await gateway.markRead("bo", [{ id: "gc-10" }]);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: "state_unavailable" });

    await own.start();
    // The gateway waits a few seconds after a failure before asking the store again.
    await expect
      .poll(async () => unreadOf(await gateway.list("bo")), { timeout: 15_000, interval: 500 })
      .toBe(1);
    expect((await gateway.markRead("bo", [{ id: "gc-10" }])).status).toBe(200);
    expect(unreadOf(await gateway.list("bo"))).toBe(0);
  }, 60_000);
});

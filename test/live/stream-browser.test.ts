import { describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

describe("a live stream in a browser", () => {
  it("reaches Chromium's EventSource: a snapshot, then a patch", async () => {
    const registry = await upstream({ "/executors": executorsReply("CODEX") });
    const gw = await gateway(
      configFor({ registry }, { cache: { ttlMs: 300 }, live: { refreshMs: 300 } }),
    );
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      // Any page of the gateway's origin: EventSource is same-origin here, as a sidebar's is.
      await page.goto(`${gw.url}/healthz`);
      await page.evaluate(() => {
        const events: { type: string; data: string; id: string }[] = [];
        (window as unknown as { events: typeof events }).events = events;
        const source = new EventSource("/api/chat-list/stream");
        for (const type of ["snapshot", "patch"])
          source.addEventListener(type, (event) => {
            const message = event as MessageEvent<string>;
            events.push({ type, data: message.data, id: message.lastEventId });
          });
      });
      const events = () =>
        page.evaluate(() => (window as unknown as { events: { type: string }[] }).events);
      await expect
        .poll(async () => (await events()).map((event) => event.type), { timeout: 5000 })
        .toEqual(["snapshot"]);
      registry.route({ "/executors": executorsReply("CODEX", "GEMINI") });
      await expect
        .poll(async () => (await events()).map((event) => event.type), { timeout: 5000 })
        .toEqual(["snapshot", "patch"]);
      const [snapshot, patch] = (await page.evaluate(
        () => (window as unknown as { events: { data: string; id: string }[] }).events,
      )) as { data: string; id: string }[];
      expect(
        JSON.parse(snapshot?.data ?? "{}").items.map((item: { id: string }) => item.id),
      ).toEqual(["CODEX"]);
      expect(JSON.parse(patch?.data ?? "{}").upsert.map((item: { id: string }) => item.id)).toEqual(
        ["GEMINI"],
      );
      expect(patch?.id).not.toBe(snapshot?.id);
    } finally {
      await browser.close();
    }
  }, 30_000);
});

import { describe, expect, it } from "vitest";
import { configFor, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

describe("single flight", () => {
  it("40 concurrent cold requests for one key make exactly one upstream call per source", async () => {
    const portal = await upstream({
      "/v1/portal/chats": { delayMs: 100, json: [{ id: 7, chat_type: "group", name: "seven" }] },
      "/v1/portal/chats/7/history": { json: [{ id: "1710000000000-0" }] },
    });
    const registry = await upstream({
      "/executors": {
        delayMs: 100,
        json: [{ type: "CODEX", is_available: true, session_count: 2, last_active: null }],
      },
    });
    const store = await upstream({
      "/agents": {
        delayMs: 100,
        json: [{ id: "a", is_global: true, session_count: 1, last_active: null }],
      },
    });
    const gw = await gateway(configFor({ portal, registry, store }, {}, 2000));

    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        gw.get("/api/chat-list?workspace_path=/w", { psession: "same-user" }),
      ),
    );
    const bodies = await Promise.all(responses.map((response) => response.json()));

    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(
      bodies.every(
        (body) =>
          body.counts.group_chats === 1 && body.counts.executors === 1 && body.counts.agents === 1,
      ),
    ).toBe(true);
    expect(portal.callsTo("/v1/portal/chats")).toHaveLength(1);
    expect(portal.callsTo("/v1/portal/chats/7/history")).toHaveLength(1);
    expect(registry.callsTo("/executors")).toHaveLength(1);
    expect(store.callsTo("/agents")).toHaveLength(1);
  });
});

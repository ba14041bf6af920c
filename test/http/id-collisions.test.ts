import { describe, expect, it } from "vitest";
import type { FakeUpstream } from "../support/fake-upstream.js";
import { useResources } from "../support/resources.js";

// Issue 15, finding 2 (DESIGN §1, "Ids across types"): an id already taken by a higher type —
// group_chat, executor, agent, whatever the config order — drops the later item, and both the
// log and that source's note say so; a `gc-` id from a source that serves no group chats is
// malformed.

const { upstream, gateway } = useResources();

type Item = { id: string; type: string; source: string; source_name: string; name: string };
type Body = { items: Item[]; sources: { name: string; note: string | null }[] };

const impostors = {
  agents: [
    // Dated far ahead, so it would sort first in place of the user's chat.
    {
      id: "gc-alice-1",
      name: "Alice (impostor)",
      is_global: true,
      session_count: 0,
      last_active: "2030-01-01T00:00:00Z",
    },
    {
      id: "CLAUDE_CODE",
      name: "Claude (impostor)",
      is_global: true,
      session_count: 0,
      last_active: null,
    },
    { id: "helper", name: "Helper", is_global: true, session_count: 0, last_active: null },
  ],
};

/** An agent store configured before the portal and the registry it imitates. */
async function listWithImpostors(): Promise<{ body: Body; logs: Record<string, unknown>[] }> {
  const store = await upstream({ "/agents": { json: impostors } });
  const portal: FakeUpstream = await upstream({
    "/v1/portal/chats": { json: [{ id: "alice-1", chat_type: "group", name: "alice" }] },
    "/v1/users/me": { json: { id: 7 } },
  });
  const registry = await upstream({
    "/executors": {
      json: [
        {
          type: "CLAUDE_CODE",
          name: "Claude Code",
          is_available: true,
          session_count: 2,
          last_active: null,
        },
      ],
    },
  });
  const gw = await gateway({
    sources: [
      { kind: "agent_store", name: "agents", baseUrl: store.url },
      { kind: "portal", name: "portal", baseUrl: portal.url },
      { kind: "executor_registry", name: "executors", baseUrl: registry.url },
    ],
  });
  const response = await gw.get("/api/chat-list", { psession: "alice" });
  expect(response.status).toBe(200);
  return { body: (await response.json()) as Body, logs: gw.logs };
}

describe("ids across types", () => {
  it("keeps the portal chat whose id an earlier agent store's agent claims", async () => {
    const { body } = await listWithImpostors();
    const chat = body.items.filter((item) => item.id === "gc-alice-1");
    expect(chat).toEqual([
      expect.objectContaining({ type: "group_chat", source: "global", source_name: "portal" }),
    ]);
  });

  it("keeps the executor whose id an earlier agent store's agent claims", async () => {
    const { body } = await listWithImpostors();
    const executor = body.items.filter((item) => item.id === "CLAUDE_CODE");
    expect(executor).toEqual([
      expect.objectContaining({
        type: "executor",
        source: "global",
        source_name: "executors",
        name: "Claude Code",
      }),
    ]);
    expect(body.items.map((item) => item.id).sort()).toEqual([
      "CLAUDE_CODE",
      "gc-alice-1",
      "helper",
    ]);
  });

  it("says in the losing source's note, and in the log, that an item was dropped for its id", async () => {
    const { body, logs } = await listWithImpostors();
    const notes = Object.fromEntries(body.sources.map((source) => [source.name, source.note]));
    expect(notes.agents).toBe("1 item dropped: its id is taken by an executor");
    expect(notes.executors).toBeNull();
    expect(logs).toContainEqual(
      expect.objectContaining({ event: "id_collisions", source: "agents", dropped: 1 }),
    );
  });

  it("drops a gc- id from a source that serves no group chats as malformed, at that source", async () => {
    const { logs } = await listWithImpostors();
    const request = logs.find((line) => line.event === "request") as {
      sources: { name: string; dropped: number }[];
    };
    expect(request.sources.find((source) => source.name === "agents")?.dropped).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

describe("Viben-shaped upstreams", () => {
  it("lists executors and agents that carry neither session_count nor last_active, counting their sessions", async () => {
    const registry = await upstream({
      "/executors": {
        json: {
          executors: [
            { type: "CLAUDE_CODE", name: "Claude Code", availability: { type: "LOGIN_DETECTED" } },
          ],
        },
      },
      "/executors/CLAUDE_CODE/sessions": {
        json: {
          sessions: [
            {
              id: "s1",
              workspace_path: "/w",
              created_at: "2026-01-01T00:00:00Z",
              updated_at: "2026-01-02T00:00:00Z",
            },
          ],
        },
      },
    });
    const store = await upstream({
      "/agents": { json: { agents: [{ id: "viben:helper", name: "Helper", source: "global" }] } },
      "/agents/viben%3Ahelper/sessions": {
        json: { sessions: [{ id: "a1", last_message_at: 1767312000000 }] },
      },
    });
    const gw = await gateway({
      sources: [
        { kind: "executor_registry", name: "executors", baseUrl: registry.url },
        { kind: "agent_store", name: "agents", baseUrl: store.url },
      ],
    });
    const body = await (await gw.get("/api/chat-list?workspace_path=/w")).json();
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "CLAUDE_CODE",
        is_available: true,
        session_count: 1,
        last_active: "2026-01-02T00:00:00.000Z",
      }),
      expect.objectContaining({
        id: "helper",
        session_count: 1,
        last_active: "2026-01-02T00:00:00.000Z",
      }),
    ]);
  });
});

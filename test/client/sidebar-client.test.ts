import { describe, expect, it } from "vitest";
import { loadSidebar, revalidate } from "../../examples/sidebar-client.js";
import { agentsReply, configFor, executorsReply, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

describe("examples/sidebar-client.ts against a running gateway", () => {
  it("pages through the whole list and revalidates with the ETag", async () => {
    const registry = await upstream({ "/executors": executorsReply("A", "B", "C", "D", "E") });
    const store = await upstream({ "/agents": agentsReply("x", "y", "z") });
    const gw = await gateway(
      configFor({ registry, store }, { cache: { ttlMs: 0, staleIfErrorMs: 0 } }),
    );

    const sidebar = await loadSidebar(gw.url, { pageSize: 3, workspacePath: "/w" });
    expect(sidebar.items.map((item) => item.id)).toEqual(["A", "B", "C", "D", "E", "x", "y", "z"]);
    expect(sidebar.counts).toEqual({ group_chats: 0, executors: 5, agents: 3 });
    expect(sidebar.etag).toMatch(/^W\//);

    expect(
      await revalidate(gw.url, sidebar.etag as string, { pageSize: 3, workspacePath: "/w" }),
    ).toBeNull();
    registry.route({ "/executors": executorsReply("A", "B", "C", "D", "E", "F") });
    const changed = await revalidate(gw.url, sidebar.etag as string, {
      pageSize: 3,
      workspacePath: "/w",
    });
    expect(changed?.page.counts.executors).toBe(6);
    expect(changed?.etag).not.toBe(sidebar.etag);
  });
});

import { describe, expect, it } from "vitest";
import type { RecordedCall } from "../support/fake-upstream.js";
import { configFor, useResources } from "../support/resources.js";

const { upstream, gateway } = useResources();

/** A portal that lists, for each session, only that user's own chat. */
function chatsBySession(call: RecordedCall) {
  const user = /psession=([^;]+)/.exec(call.headers.cookie ?? "")?.[1] ?? "nobody";
  return {
    delayMs: 20,
    json: [{ id: `chat-of-${user}`, chat_type: "group", name: `${user}'s chat` }],
  };
}

const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);

describe("isolation between users", () => {
  it("two psession users never see each other's chats", async () => {
    const portal = await upstream({ "/v1/portal/chats": chatsBySession });
    const gw = await gateway(configFor({ portal }));
    const alice = await (await gw.get("/api/chat-list", { psession: "alice" })).json();
    const bob = await (await gw.get("/api/chat-list", { psession: "bob" })).json();
    expect(ids(alice)).toEqual(["gc-chat-of-alice"]);
    expect(ids(bob)).toEqual(["gc-chat-of-bob"]);
  });

  it("keeps users apart under concurrency, cold and warm, across workspaces", async () => {
    const portal = await upstream({ "/v1/portal/chats": chatsBySession });
    const gw = await gateway(configFor({ portal }));
    const users = ["alice", "bob", "carol", "dave"];
    for (let round = 0; round < 2; round++) {
      const requests = Array.from({ length: 40 }, (_, index) => {
        const user = users[index % users.length] as string;
        const workspace = index % 3 === 0 ? "" : `?workspace_path=/w${index % 2}`;
        return gw.get(`/api/chat-list${workspace}`, { psession: user }).then(async (response) => ({
          user,
          body: await response.json(),
        }));
      });
      for (const { user, body } of await Promise.all(requests)) {
        expect(ids(body)).toEqual([`gc-chat-of-${user}`]);
      }
    }
    // Portal chats are per user, not per workspace: one list call per user in all.
    expect(portal.callsTo("/v1/portal/chats")).toHaveLength(users.length);
  });

  it("a user without a cookie never gets a cached list of someone who had one", async () => {
    const portal = await upstream({ "/v1/portal/chats": chatsBySession });
    const gw = await gateway(configFor({ portal }));
    await gw.get("/api/chat-list", { psession: "alice" });
    const anonymous = await gw.get("/api/chat-list");
    expect(anonymous.status).toBe(401);
    const body = await anonymous.json();
    expect(JSON.stringify(body)).not.toContain("alice");
  });
});

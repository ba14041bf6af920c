// The demo's sample Viben group chat store (SAMPLE DATA), shaped like a running Viben's
// /api/group-chats: one chat reports its counts and unread badge itself, the other is listed
// without counts, so the gateway asks its members and sessions as it would ask Viben. (The
// workspace's own chat comes from sample files instead: demo-viben-home.ts.)
import type { Reply } from "../test/support/fake-upstream.js";

export function sampleGroupChatRoutes(
  home: string,
  minutesAgo: (minutes: number) => string,
): Record<string, Reply> {
  const member = (id: string, type: "human" | "agent", displayName: string) => ({
    id,
    type,
    refId: id,
    displayName,
    role: type === "human" ? "owner" : "member",
    joinedAt: minutesAgo(10_000),
  });
  return {
    "/group-chats": {
      delayMs: 20,
      json: {
        group_chats: [
          {
            id: "gc-release",
            name: "Sample · Release crew",
            description: "Sample data: a global chat that reports its own counts",
            workspace_path: `${home}/.viben`,
            member_count: 4,
            session_count: 6,
            unread_count: 12,
            last_message_at: minutesAgo(2),
          },
          {
            id: "retro",
            name: "Sample · Retro notes",
            description: "Sample data: read up to date",
            is_global: true,
            workspace_path: null,
            updated_at: minutesAgo(4000),
            unread_count: 0,
          },
        ],
      },
    },
    "/group-chats/retro/members": { json: { members: [member("u1", "human", "You")] } },
    "/group-chats/retro/sessions": { json: { sessions: [] } },
  };
}

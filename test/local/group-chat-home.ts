import { tempTree } from "../support/home-fixture.js";
import {
  agentTexts,
  type ChatModel,
  fixedWidthLog,
  type MessageModel,
  writeGroupChats,
} from "./viben-format.js";

/*
 * Viben group chats covering DESIGN §7 case by case, with the values each one must produce
 * worked out beside it. Workspaces: alpha (code/alpha) and beta (code/beta), inside the home.
 */

const human = (fields: Record<string, unknown>) => ({
  id: "u1",
  type: "human",
  refId: "local-user",
  displayName: "Ana",
  role: "owner",
  ...fields,
});
const agent = (id: string, joined: string) => ({
  id,
  type: "agent",
  refId: id,
  displayName: id,
  role: "member",
  joinedAt: joined,
});
const say = (type: string, timestamp: string | number): MessageModel => ({
  senderType: type === "user" ? "human" : "agent",
  type,
  timestamp,
});

const chattyLog = agentTexts(100, "2026-04-06T00:00:00Z");

/** The chats, for a home whose workspaces are `alpha` and `beta`. */
export function groupChats(alpha: string, beta: string): ChatModel[] {
  return [
    // JSON, camelCase. Seen at 10:00: of the agent's messages after that, only text (10:04,
    // 10:08) and error (10:05) count: unread 3. last_active: the newest message, 10:08.
    {
      id: "design",
      format: "json",
      config: {
        id: "design",
        name: "Design",
        description: "Global design chat",
        createdBy: "u1",
        createdAt: "2026-04-01T09:00:00Z",
        updatedAt: "2026-04-01T09:00:00Z",
        settings: {},
        metadata: {},
      },
      members: [
        human({ joinedAt: "2026-04-01T09:00:00Z", lastSeenAt: "2026-04-02T10:00:00Z" }),
        agent("reviewer", "2026-04-01T09:00:00Z"),
        agent("planner", "2026-04-01T09:00:00Z"),
      ],
      sessions: [
        {
          id: "s1",
          config: {
            status: "active",
            createdAt: "2026-04-02T09:00:00Z",
            updatedAt: "2026-04-02T12:00:00Z",
          },
          messages: [
            say("text", "2026-04-02T09:59:00Z"),
            say("user", "2026-04-02T10:00:00Z"),
            say("thinking", "2026-04-02T10:01:00Z"),
            say("tool_use", "2026-04-02T10:02:00Z"),
            say("tool_result", "2026-04-02T10:03:00Z"),
            say("text", "2026-04-02T10:04:00Z"),
            say("error", "2026-04-02T10:05:00Z"),
            say("system", "2026-04-02T10:06:00Z"),
            say("file", "2026-04-02T10:07:00Z"),
            say("text", "2026-04-02T10:08:00Z"),
          ],
        },
      ],
    },
    // YAML, snake_case, no lastSeenAt: unread counts from joined_at (2 of 3). Two sessions, one
    // without a log. Message times as epoch seconds and milliseconds.
    {
      id: "ops",
      format: "yaml",
      config: {
        id: "ops",
        name: "Ops",
        description: "An older chat, written as YAML",
        created_at: "2026-03-01T00:00:00Z",
        updated_at: "2026-03-20T08:00:00Z",
      },
      members: [human({ joined_at: "2026-04-03T00:00:00Z" }), agent("runner", "2026-04-03")],
      sessions: [
        {
          id: "o1",
          config: {
            status: "active",
            created_at: "2026-04-03T00:00:00Z",
            updated_at: "2026-04-03T06:00:00Z",
          },
          messages: [
            say("text", "2026-04-02T23:00:00Z"),
            say("text", 1775178000), // 2026-04-03T01:00:00Z
            say("text", 1775181600000), // 2026-04-03T02:00:00Z
          ],
        },
        {
          id: "o2",
          config: { status: "closed", created_at: "2026-04-01T00:00:00Z" },
        },
      ],
    },
    // A global chat, shadowed in alpha by a workspace chat of the same id. The workspace one has
    // a session without messages: last_active from that session's updated_at.
    {
      id: "shared",
      format: "json",
      config: { id: "shared", name: "Shared (global)", updatedAt: "2026-01-01T00:00:00Z" },
      members: [human({ joinedAt: "2026-01-01T00:00:00Z" })],
    },
    {
      id: "shared",
      workspace: alpha,
      format: "json",
      config: { id: "shared", name: "Shared (alpha)", updatedAt: "2026-04-04T00:00:00Z" },
      members: [human({ joinedAt: "2026-04-04T00:00:00Z" }), agent("reviewer", "2026-04-04")],
      sessions: [
        {
          id: "x1",
          config: {
            status: "idle",
            createdAt: "2026-04-04T07:00:00Z",
            updatedAt: "2026-04-04T08:00:00Z",
          },
        },
      ],
    },
    // Already gc-prefixed; tab-indented JSON with a duplicate key (JSON's last one wins, which
    // the YAML parser would refuse); no members.yaml: member_count null, unread 0.
    {
      id: "gc-project-chat",
      workspace: alpha,
      format: "json",
      config: {
        name: "Project Discussion",
        description: "Team collaboration chat",
        createdAt: 1775000000,
        updatedAt: "1775000000000",
      },
      configText:
        '{\n\t"id": "gc-project-chat",\n\t"name": "draft",\n\t"name": "Project Discussion",\n' +
        '\t"description": "Team collaboration chat",\n\t"createdAt": 1775000000,\n' +
        '\t"updatedAt": "1775000000000"\n}\n',
      sessions: [
        {
          id: "p1",
          config: { status: "active", createdAt: "2026-04-05T09:00:00Z" },
          messages: [say("text", "1775383200000-0"), say("text", "2026-04-05T12:30:00+02:00")],
        },
      ],
    },
    // No sessions: last_active from the chat's own updated_at.
    {
      id: "quiet",
      workspace: alpha,
      format: "json",
      config: { id: "quiet", name: "Quiet", updatedAt: "2026-03-15T12:00:00Z" },
      members: [human({ joinedAt: "2026-03-15T12:00:00Z" })],
    },
    {
      id: "beta-chat",
      workspace: beta,
      format: "json",
      config: { id: "beta-chat", name: "Beta chat", updatedAt: "2026-02-01T00:00:00Z" },
      members: [human({ joinedAt: "2026-02-01T00:00:00Z" })],
    },
    // 100 agent messages of exactly 160 bytes a line (16,000 bytes), all after lastSeenAt.
    {
      id: "chatty",
      format: "json",
      config: { id: "chatty", name: "Chatty", updatedAt: "2026-04-05T00:00:00Z" },
      members: [human({ joinedAt: "2026-04-05T00:00:00Z", lastSeenAt: "2026-04-05T23:00:00Z" })],
      sessions: [
        {
          id: "c1",
          config: { status: "active", createdAt: "2026-04-06T00:00:00Z" },
          messages: chattyLog,
          logText: fixedWidthLog(chattyLog, 160),
        },
      ],
    },
    // Not JSON, not YAML: dropped.
    {
      id: "broken",
      format: "json",
      config: {},
      configText: '{ "id": "broken", "name": [unclosed\n',
      diskOnly: true,
    },
  ];
}

/**
 * A home with the chats above, plus a chat folder that is a symlink to a chat outside the home
 * (never read). Pass an existing tree to add the chats to it.
 */
export function buildGroupChatHome(tree = tempTree()) {
  const outside = tempTree("chat-list-outside-");
  const alpha = tree.dir("code/alpha");
  const beta = tree.dir("code/beta");
  const chats = groupChats(alpha, beta);
  writeGroupChats(tree, chats);
  writeGroupChats(outside, [
    {
      id: "evil",
      format: "json",
      config: { id: "evil", name: "Evil" },
      members: [human({ joinedAt: "2026-01-01T00:00:00Z" })],
      sessions: [{ id: "e1", config: {}, messages: [say("text", "2026-05-01T00:00:00Z")] }],
    },
  ]);
  tree.link(".viben/group-chats/evil", outside.path(".viben/group-chats/evil"));
  return { home: tree, outside, alpha, beta, chats };
}

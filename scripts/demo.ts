// `npm run demo`: the gateway with sample upstreams on loopback, so a frontend developer sees
// every item type in one minute. Everything it lists is SAMPLE DATA made up here.
//
// Starts a sample portal (group, direct and archived chats with histories; it answers who the
// user is, and creates chats and takes messages, so the README's write examples run), a Viben
// workspace chat read from sample files in memory (`local_group_chats`, with read markers), a
// Viben-shaped group chat store (with unread badges), two executor registries (one
// Viben-shaped, whose executors are merged with the other's), and an agent store; then the
// gateway on PORT (default 8787). The sample user is Ana, her workspace /home/ana/proj: the
// README's examples run against the demo as written. Requests without a psession cookie are
// given the demo user's, so a browser shows portal chats too.
import { serve } from "@hono/node-server";
import { parseConfig } from "../src/config/load.js";
import { createJsonLogger } from "../src/core/logger.js";
import { createApp } from "../src/http/app.js";
import { createDocsAssetReader } from "../src/runtime/node/docs-assets.js";
import { createPooledFetch } from "../src/runtime/node/undici-fetch.js";
import { createLocalSourceFactory } from "../src/sources/local/index.js";
import {
  type RecordedCall,
  type Reply,
  type Route,
  startFakeUpstream,
} from "../test/support/fake-upstream.js";
import { sampleGroupChatRoutes } from "./demo-group-chats.js";
import { sampleVibenHome } from "./demo-viben-home.js";

const HOME = "/home/ana";
const WORKSPACE = "/home/ana/proj";
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const streamId = (minutes: number) => `${Date.now() - minutes * 60_000}-0`;

const chats = [
  {
    id: "5a3f0c2e9b7d41e6a8c2f1d0e9b8a7c6",
    chat_type: "group",
    name: "Sample · design-review",
    visibility: "public",
    description: "Sample data: weekly design review",
    slug: "design-review",
    secrets: [],
    archived: false,
    lastMinutes: 3,
  },
  {
    id: "7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f",
    chat_type: "group",
    name: "Sample · release-war-room",
    visibility: "private",
    description: "Sample data: release coordination",
    secrets: [{ id: "s-1", name: "Sample · hotfix keys", expires_at: minutesAgo(-60) }],
    archived: false,
    lastMinutes: 45,
  },
  {
    id: 4242,
    chat_type: "direct",
    name: "Sample · ana",
    visibility: "private",
    archived: false,
    lastMinutes: 12,
  },
  {
    id: 4243,
    chat_type: "secret_chat",
    name: "Sample · ghostly-stranger",
    visibility: "private",
    archived: true,
    lastMinutes: 600,
  },
];
// The sample user (GET /v1/users/me), who writes through the gateway (README "Writes").
const SAMPLE_USER = { id: 7, username: "sample_user" };
const listed: Array<Record<string, unknown>> = chats.map(({ lastMinutes: _, ...chat }) => chat);
const histories = new Map<string, Array<Record<string, unknown>>>();
const portalRoutes: Record<string, Route> = {
  "/v1/users/me": { json: SAMPLE_USER },
  "/v1/portal/chats": (call) =>
    call.method === "POST" ? createChat(call) : { json: listed, delayMs: 40 },
};
/** The sample portal's POST /v1/portal/chats/{id}/messages: the message joins the history. */
const takeMessage =
  (id: string) =>
  (call: RecordedCall): Reply => {
    const content = (JSON.parse(call.body ?? "{}") as { content?: unknown }).content;
    if (typeof content !== "string")
      return { status: 422, json: { detail: "content is required" } };
    const message = {
      id: `${Date.now()}-${histories.get(id)?.length ?? 0}`,
      timestamp: new Date().toISOString(),
      type: "user",
      sender: SAMPLE_USER,
      content,
    };
    histories.get(id)?.push(message);
    return { json: { id: message.id } };
  };
const routesOf = (id: string) => ({
  [`/v1/portal/chats/${id}/history`]: () => ({ json: histories.get(id) ?? [] }),
  [`/v1/portal/chats/${id}/messages`]: takeMessage(id),
});
for (const chat of chats) {
  histories.set(String(chat.id), [
    {
      id: streamId(chat.lastMinutes + 30),
      timestamp: minutesAgo(chat.lastMinutes + 30),
      type: "user",
      content: "SAMPLE_CIPHERTEXT",
    },
    { id: streamId(chat.lastMinutes), type: "user", content: "SAMPLE_CIPHERTEXT" },
  ]);
  Object.assign(portalRoutes, routesOf(String(chat.id)));
}
/** The sample portal's POST /v1/portal/chats: a private group chat, ids from 4300. */
let nextChatId = 4300;
function createChat(call: RecordedCall): Reply {
  const body = JSON.parse(call.body ?? "{}") as { name?: string; description?: string };
  const chat = {
    id: nextChatId++,
    chat_type: "group",
    name: body.name ?? "unnamed",
    owner: { ...SAMPLE_USER, avatar_url: null },
    visibility: "private",
    label: null,
    slug: null,
    description: body.description ?? null,
    avatar_url: null,
    archived: false,
  };
  listed.push(chat);
  histories.set(String(chat.id), []);
  portal.route(routesOf(String(chat.id)));
  return { status: 201, json: chat };
}

const [portal, groupChatStore, vibenRegistry, otherRegistry, agentStore] = await Promise.all([
  startFakeUpstream(portalRoutes),
  startFakeUpstream(sampleGroupChatRoutes(HOME, minutesAgo)),
  startFakeUpstream({
    "/executors": {
      delayMs: 15,
      json: {
        executors: [
          {
            type: "CLAUDE_CODE",
            name: "Claude Code",
            description: "Sample data: Anthropic's CLI",
            availability: { type: "LOGIN_DETECTED" },
            supports_mcp: true,
          },
          {
            type: "CODEX",
            name: "Codex",
            description: "Sample data: OpenAI's CLI",
            availability: { type: "INSTALLATION_FOUND" },
            supports_mcp: true,
          },
          {
            type: "GEMINI",
            name: "Gemini CLI",
            description: "Sample data: Google's CLI",
            availability: { type: "NOT_FOUND" },
            supports_mcp: true,
            session_count: 0,
            last_active: null,
          },
        ],
      },
    },
    "/executors/CLAUDE_CODE/sessions": {
      json: {
        sessions: [
          {
            id: "c1",
            workspace_path: WORKSPACE,
            created_at: minutesAgo(300),
            updated_at: minutesAgo(7),
          },
          {
            id: "c2",
            workspace_path: WORKSPACE,
            created_at: minutesAgo(2000),
            updated_at: minutesAgo(1500),
          },
        ],
      },
    },
    "/executors/CODEX/sessions": {
      json: {
        sessions: [
          {
            id: "x1",
            workspace_path: WORKSPACE,
            created_at: minutesAgo(90),
            last_active: minutesAgo(60),
          },
        ],
      },
    },
  }),
  startFakeUpstream({
    "/executors": {
      delayMs: 25,
      json: [
        {
          id: "claude-code",
          name: "Claude Code (team registry)",
          is_available: false,
          supports_mcp: true,
          session_count: 3,
          last_active: minutesAgo(20),
        },
        {
          type: "CURSOR_AGENT",
          name: "Cursor Agent",
          description: "Sample data",
          is_available: true,
          supports_mcp: true,
          sessionCount: 1,
          lastActive: Date.now() - 240 * 60_000,
        },
        {
          type: "COPILOT",
          name: "GitHub Copilot CLI",
          description: "Sample data",
          is_available: true,
          supports_mcp: true,
          session_count: 0,
          last_active: null,
        },
      ],
    },
  }),
  startFakeUpstream({
    "/agents": {
      delayMs: 10,
      json: {
        agents: [
          {
            id: "viben:code-reviewer",
            name: "Sample · Code reviewer",
            description: "Sample data: reviews diffs",
            model: "claude-sonnet",
            provider: "anthropic",
            source: "global",
            session_count: 4,
            last_active: minutesAgo(30),
          },
          {
            id: "release-notes",
            name: "Sample · Release notes writer",
            description: "Sample data",
            model: "gpt-5",
            provider_id: "openai",
            is_global: true,
            session_count: 0,
            last_active: null,
          },
          {
            id: "code-reviewer",
            name: "Sample · Project reviewer",
            description: "Sample data: this workspace's own reviewer",
            model: "claude-opus",
            provider: "anthropic",
            is_global: false,
            workspace_path: WORKSPACE,
            session_count: 2,
            last_active: minutesAgo(5),
          },
        ],
      },
    },
  }),
]);

const config = parseConfig({
  sources: [
    { kind: "portal", name: "sample-portal", baseUrl: portal.url },
    { kind: "local_group_chats", name: "sample-local-group-chats", home: HOME },
    { kind: "group_chat_store", name: "sample-viben-group-chats", baseUrl: groupChatStore.url },
    { kind: "executor_registry", name: "sample-viben-executors", baseUrl: vibenRegistry.url },
    { kind: "executor_registry", name: "sample-team-executors", baseUrl: otherRegistry.url },
    { kind: "agent_store", name: "sample-agents", baseUrl: agentStore.url },
  ],
});
const pool = createPooledFetch(8);
const app = createApp({
  config,
  fetch: pool.fetch,
  logger: createJsonLogger((line) => process.stderr.write(`${line}\n`)),
  docsAssets: createDocsAssetReader(),
  local: createLocalSourceFactory({
    fs: sampleVibenHome(WORKSPACE, minutesAgo),
    home: HOME,
    pathDirs: [],
  }),
});

// Demo only: a request without a session cookie acts as the sample user.
const withDemoUser = (request: Request) => {
  if (request.headers.get("cookie")?.includes("psession=")) return app.fetch(request);
  const headers = new Headers(request.headers);
  headers.set("cookie", "psession=sample-demo-user");
  return app.fetch(new Request(request, { headers }));
};

const port = Number(process.env.PORT ?? "8787");
const host = process.env.HOST ?? "127.0.0.1";
const server = serve({ fetch: withDemoUser, port, hostname: host }, (info) => {
  const origin = `http://${host}:${info.port}`;
  console.log(
    "chat-list gateway DEMO — every item below comes from SAMPLE DATA served on loopback",
  );
  console.log(`  list: ${origin}/api/chat-list?workspace_path=${encodeURIComponent(WORKSPACE)}`);
  console.log(`  docs: ${origin}/docs`);
  console.log("  (Ctrl-C to stop)");
});

const stop = async () => {
  server.close();
  await Promise.all([
    portal.close(),
    groupChatStore.close(),
    vibenRegistry.close(),
    otherRegistry.close(),
    agentStore.close(),
    pool.close(),
  ]);
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());

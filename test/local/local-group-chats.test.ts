import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { LocalGroupChatsConfig } from "../../src/config/schema.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { createApp } from "../../src/http/app.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import type { LocalFs } from "../../src/sources/local/local-fs.js";
import { tempTree } from "../support/home-fixture.js";
import { buildGroupChatHome } from "./group-chat-home.js";
import { recordingFs } from "./recording-fs.js";
import { writeGroupChats } from "./viben-format.js";

// DESIGN §7, `local_group_chats`, against a home written in Viben's own format.

type Item = Record<string, unknown> & { id: string };
type Json = {
  items: Item[];
  sources: { name: string; status: string; note: string | null }[];
};

function gatewayFor(home: string, extra: Record<string, unknown> = {}, fs: LocalFs = nodeFs) {
  const logs: Record<string, unknown>[] = [];
  const record = (event: Record<string, unknown>) => logs.push(event);
  const app = createApp({
    config: parseConfig({
      sources: [{ kind: "local_group_chats", name: "chats", home, ...extra }],
      cache: { ttlMs: 0, staleIfErrorMs: 0 },
    }),
    fetch: () => Promise.reject(new Error("no upstream")),
    logger: { info: record, warn: record, error: record },
    local: createLocalSourceFactory({ fs, home, pathDirs: [] }),
  });
  const get = async (query = "") =>
    (await app.request(`/api/chat-list${query}`)).json() as Promise<Json>;
  return { get, logs };
}

const byId = (body: Json, id: string) => body.items.find((item) => item.id === id);
const ids = (body: Json) => body.items.map((item) => item.id).sort();

describe("local group chats", () => {
  it("list global and workspace chats with every field of a group chat item", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}`);
    expect(byId(body, "gc-design")).toEqual({
      id: "gc-design",
      type: "group_chat",
      item_type: "group_chat",
      name: "Design",
      description: "Global design chat",
      last_active: "2026-04-02T10:08:00.000Z",
      source: "global",
      source_name: "chats",
      member_count: 3,
      session_count: 1,
      unread_count: 3,
      workspace_path: null,
      is_global: true,
    });
    expect(byId(body, "gc-quiet")).toMatchObject({ workspace_path: alpha, is_global: false });
    expect(ids(body)).toEqual([
      "gc-chatty",
      "gc-design",
      "gc-ops",
      "gc-project-chat",
      "gc-quiet",
      "gc-shared",
    ]);
    expect(body.sources[0]).toMatchObject({ status: "ok", note: null });
  });

  it("let a workspace chat shadow a global chat with the same id", async () => {
    const { home, alpha } = buildGroupChatHome();
    const { get } = gatewayFor(home.root);
    expect(byId(await get(`?workspace_path=${alpha}`), "gc-shared")).toMatchObject({
      name: "Shared (alpha)",
      is_global: false,
      workspace_path: alpha,
    });
    expect(byId(await get(), "gc-shared")).toMatchObject({ name: "Shared (global)" });
  });

  it("drop the global chats when include_global is false", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}&include_global=false`);
    expect(ids(body)).toEqual(["gc-project-chat", "gc-quiet", "gc-shared"]);
  });

  it("read JSON and YAML files, camelCase and snake_case timestamps, in every timestamp form", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}`);
    // YAML with snake_case: members, two sessions (one without a log), epoch s and ms messages.
    expect(byId(body, "gc-ops")).toMatchObject({
      name: "Ops",
      description: "An older chat, written as YAML",
      member_count: 2,
      session_count: 2,
      last_active: "2026-04-03T02:00:00.000Z",
    });
    // Tab-indented JSON with a duplicate key (the last wins); a stream id and a zoned timestamp.
    expect(byId(body, "gc-project-chat")).toMatchObject({
      name: "Project Discussion",
      description: "Team collaboration chat",
      session_count: 1,
      last_active: "2026-04-05T10:30:00.000Z",
    });
  });

  it("keep an id that already starts with gc- as it is", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}`);
    expect(body.items.map((item) => item.id)).toContain("gc-project-chat");
    expect(body.items.map((item) => item.id)).not.toContain("gc-gc-project-chat");
  });

  it("give member_count null to a chat without members.yaml", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}`);
    expect(byId(body, "gc-project-chat")?.member_count).toBeNull();
  });

  it("count nothing unread in a chat without a human member", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}`);
    expect(byId(body, "gc-project-chat")?.unread_count).toBe(0);
  });

  it("date a chat without sessions by its own updated_at", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}`);
    expect(byId(body, "gc-quiet")).toMatchObject({
      session_count: 0,
      last_active: "2026-03-15T12:00:00.000Z",
    });
  });

  it("date a chat whose sessions have no messages by its newest session's updated_at", async () => {
    const { home, alpha } = buildGroupChatHome();
    const body = await gatewayFor(home.root).get(`?workspace_path=${alpha}`);
    expect(byId(body, "gc-shared")?.last_active).toBe("2026-04-04T08:00:00.000Z");
  });

  it("count agent text and error messages after the human member's lastSeenAt as unread", async () => {
    const { home } = buildGroupChatHome();
    expect(byId(await gatewayFor(home.root).get(), "gc-design")?.unread_count).toBe(3);
  });

  it("count unread messages from joinedAt when lastSeenAt is absent", async () => {
    const { home } = buildGroupChatHome();
    expect(byId(await gatewayFor(home.root).get(), "gc-ops")?.unread_count).toBe(2);
  });

  it("never count thinking, tool_use, tool_result, user, system or file messages", async () => {
    const home = tempTree();
    const seen = "2026-04-01T00:00:00Z";
    const types = ["thinking", "tool_use", "tool_result", "user", "system", "file"];
    writeGroupChats(home, [
      {
        id: "busy",
        format: "json",
        config: { id: "busy", name: "Busy" },
        members: [{ id: "u1", type: "human", joinedAt: seen, lastSeenAt: seen }],
        sessions: [
          {
            id: "s1",
            config: { status: "active" },
            messages: types.map((type, minute) => ({
              senderType: "agent",
              type,
              timestamp: `2026-04-01T00:0${minute + 1}:00Z`,
            })),
          },
        ],
      },
    ]);
    const body = await gatewayFor(home.root).get();
    expect(byId(body, "gc-busy")).toMatchObject({
      unread_count: 0,
      last_active: "2026-04-01T00:06:00.000Z",
    });
  });

  it("count a log longer than maxBytesPerFile from its tail, and say so in the note", async () => {
    const { home } = buildGroupChatHome();
    // 100 lines of 160 bytes; the last 4,096 bytes hold a partial line and 25 whole ones.
    const body = await gatewayFor(home.root, { maxBytesPerFile: 4096 }).get();
    expect(byId(body, "gc-chatty")).toMatchObject({
      unread_count: 25,
      last_active: "2026-04-06T01:39:00.000Z",
    });
    expect(body.sources[0]?.note).toBe("1 message log over maxBytesPerFile: counted from its tail");
    const whole = await gatewayFor(home.root).get();
    expect(byId(whole, "gc-chatty")?.unread_count).toBe(100);
    expect(whole.sources[0]?.note).toBeNull();
  });

  it("drop a chat whose config.yaml is broken, count it, and log it without message content", async () => {
    const { home } = buildGroupChatHome();
    const { get, logs } = gatewayFor(home.root);
    const body = await get();
    expect(byId(body, "gc-broken")).toBeUndefined();
    expect(body.sources[0]?.status).toBe("ok");
    const request = logs.find((event) => event.event === "request") as {
      sources: { dropped: number }[];
    };
    expect(request.sources[0]?.dropped).toBe(1);
    expect(logs.find((event) => event.event === "local_group_chat_dropped")).toMatchObject({
      path: `${home.root}/.viben/group-chats/broken`,
    });
    expect(JSON.stringify(logs)).not.toContain("SECRET-CONTENT");
  });

  it("never read a chat folder that a symlink points at outside the chat folders", async () => {
    const { home, alpha } = buildGroupChatHome();
    const recording = recordingFs();
    const body = await gatewayFor(home.root, {}, recording.fs).get(`?workspace_path=${alpha}`);
    expect(byId(body, "gc-evil")).toBeUndefined();
    const reads = recording.reads();
    expect(reads.length).toBeGreaterThan(0);
    const escaped = reads
      .map((path) => realpathSync(path))
      .filter((path) => !path.startsWith(`${home.root}/`));
    expect(escaped).toEqual([]);
  });

  it("say in the note that a workspace outside workspaceRoots was not read", async () => {
    const { home, alpha } = buildGroupChatHome();
    const elsewhere = tempTree();
    const body = await gatewayFor(home.root, { workspaceRoots: [elsewhere.root] }).get(
      `?workspace_path=${alpha}`,
    );
    expect(byId(body, "gc-quiet")).toBeUndefined();
    expect(body.sources[0]).toMatchObject({
      status: "ok",
      note: "workspace outside workspaceRoots: its group chats were not read",
    });
  });

  it("attach each chat's unread basis to its load, for the read markers to come", async () => {
    const { home } = buildGroupChatHome();
    const config = parseConfig({
      sources: [{ kind: "local_group_chats", name: "c", home: home.root }],
    }).sources[0] as LocalGroupChatsConfig;
    const source = createLocalSourceFactory({ fs: nodeFs, home: home.root, pathDirs: [] }).create(
      config,
      { clock: systemClock, logger: silentLogger },
    );
    const plan = source.plan(
      { workspacePath: null, includeGlobal: true, types: ["group_chat"] },
      {
        psession: null,
      },
    );
    if (plan.action !== "load") throw new Error("expected a load");
    const load = await plan.load({
      signal: new AbortController().signal,
      remainingMs: () => 1000,
      callerKey: "anonymous",
    });
    const at = (time: string) => Date.parse(`2026-04-02T${time}:00Z`);
    expect(load.unread?.get("gc-design")).toEqual({
      kind: "viben",
      seenMs: at("10:00"),
      countedMs: [at("09:59"), at("10:04"), at("10:05"), at("10:08")],
    });
    expect([...(load.unread?.keys() ?? [])].sort()).toEqual(
      load.items.map((item) => item.id).sort(),
    );
  });
});

import { relative } from "node:path";
import { stringify as toYaml } from "yaml";
import { toEpochMs } from "../../src/core/timestamps.js";
import type { RecordedCall, Route } from "../support/fake-upstream.js";
import type { tempTree } from "../support/home-fixture.js";

/*
 * Viben group chats as data, written to disk in Viben's own format (JSON in `.yaml` files, or the
 * YAML older versions wrote) and served as Viben's `/api/group-chats` would, so the local and the
 * HTTP source can be checked against the same chats.
 */

export interface MessageModel {
  senderType: "human" | "agent";
  type: string;
  timestamp: string | number;
}

export interface SessionModel {
  id: string;
  config: Record<string, unknown>;
  /** Absent: no messages.ui.jsonl. */
  messages?: MessageModel[];
  /** Written verbatim as messages.ui.jsonl instead of `messages` (which it must hold). */
  logText?: string;
}

export interface ChatModel {
  id: string;
  /** Absent: a global chat. */
  workspace?: string;
  format: "json" | "yaml";
  config: Record<string, unknown>;
  /** Written verbatim as config.yaml instead of `config` (edge cases, broken files). */
  configText?: string;
  /** Absent: no members.yaml. */
  members?: Record<string, unknown>[];
  sessions?: SessionModel[];
  /** Only on disk: a running Viben would not list it. */
  diskOnly?: boolean;
}

const serialize = (format: ChatModel["format"], value: unknown) =>
  format === "json" ? `${JSON.stringify(value, null, 2)}\n` : toYaml(value);

export const messageLine = (message: MessageModel, index: number) =>
  `${JSON.stringify({
    id: `m${index}`,
    senderId: message.senderType === "human" ? "u1" : "a1",
    senderType: message.senderType,
    senderName: message.senderType === "human" ? "Ana" : "Reviewer",
    type: message.type,
    content: `SECRET-CONTENT-${index}`,
    timestamp: message.timestamp,
  })}\n`;

/** Agent text messages one minute apart from `from`. */
export function agentTexts(count: number, from: string): MessageModel[] {
  return Array.from({ length: count }, (_, index) => ({
    senderType: "agent",
    type: "text",
    timestamp: new Date(Date.parse(from) + index * 60_000).toISOString(),
  }));
}

/** A log of `messages`, each line padded to exactly `bytes` (for arithmetic on tail reads). */
export function fixedWidthLog(messages: readonly MessageModel[], bytes: number): string {
  return messages
    .map((message, index) => {
      const line = messageLine({ ...message }, index);
      const record = JSON.parse(line) as Record<string, unknown>;
      const padding = bytes - line.length + String(record.content).length;
      return `${JSON.stringify({ ...record, content: "x".repeat(padding) })}\n`;
    })
    .join("");
}

/** Writes `chats` under a home tree (workspaces must lie inside it). */
export function writeGroupChats(tree: ReturnType<typeof tempTree>, chats: readonly ChatModel[]) {
  for (const chat of chats) {
    const base =
      chat.workspace === undefined
        ? `.viben/group-chats/${chat.id}`
        : `${relative(tree.root, chat.workspace)}/.viben/group-chats/${chat.id}`;
    tree.write(`${base}/config.yaml`, chat.configText ?? serialize(chat.format, chat.config));
    if (chat.members !== undefined)
      tree.write(`${base}/members.yaml`, serialize(chat.format, chat.members));
    for (const session of chat.sessions ?? []) {
      const dir = `${base}/sessions/${session.id}`;
      tree.write(`${dir}/config.yaml`, serialize(chat.format, session.config));
      const log = session.logText ?? session.messages?.map(messageLine).join("");
      if (log !== undefined) tree.write(`${dir}/messages.ui.jsonl`, log);
    }
  }
}

/** A session as Viben's API lists it, with the time of its newest message. */
function sessionJson(session: SessionModel) {
  const times = (session.messages ?? []).map((message) => toEpochMs(message.timestamp) ?? 0);
  return {
    id: session.id,
    status: session.config.status,
    created_at: session.config.createdAt ?? session.config.created_at,
    updated_at: session.config.updatedAt ?? session.config.updated_at,
    last_message_at: times.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
  };
}

/**
 * Routes of a fake Viben shaped like its `/api/group-chats`: every chat in one list (the gateway
 * filters), no counts (so the members and sessions calls run), global chats named by the folder
 * they live in (`<home>/.viben`).
 */
export function vibenApiRoutes(chats: readonly ChatModel[], home: string): Record<string, Route> {
  const listed = chats.filter((chat) => !chat.diskOnly);
  const routes: Record<string, Route> = {
    "/group-chats": {
      json: {
        group_chats: listed.map((chat) => ({
          id: chat.id,
          name: chat.config.name,
          description: chat.config.description ?? null,
          workspace_path: chat.workspace ?? `${home}/.viben`,
          created_at: chat.config.createdAt ?? chat.config.created_at,
          updated_at: chat.config.updatedAt ?? chat.config.updated_at,
        })),
      },
    },
  };
  // A chat's own routes serve the chat of that id in the workspace the call names (none: the
  // global one), as Viben looks a workspace chat up in its workspace's folder.
  const chatOf = (id: string, call: RecordedCall) =>
    listed.find((chat) => chat.id === id && chat.workspace === call.query.workspace_path);
  for (const id of new Set(listed.map((chat) => chat.id))) {
    routes[`/group-chats/${id}/members`] = (call) => {
      const members = chatOf(id, call)?.members;
      // No members.yaml: Viben has no members to give, and the count stays unknown.
      return members === undefined ? { status: 404 } : { json: { members } };
    };
    routes[`/group-chats/${id}/sessions`] = (call) => {
      const chat = chatOf(id, call);
      if (chat === undefined) return { status: 404 };
      return { json: { sessions: (chat.sessions ?? []).map(sessionJson) } };
    };
  }
  return routes;
}

import { relative } from "node:path";
import { stringify as toYaml } from "yaml";
import type { Reply, Route } from "../support/fake-upstream.js";
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
  /** Written verbatim as messages.ui.jsonl instead of `messages`. */
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

/** Agent text messages one minute apart from `from`, each line exactly `bytes` long. */
export function fixedWidthLog(count: number, from: string, bytes: number): string {
  let text = "";
  for (let index = 0; index < count; index++) {
    const timestamp = new Date(Date.parse(from) + index * 60_000).toISOString();
    const base = { id: `m${index}`, senderType: "agent", type: "text", timestamp, content: "" };
    const padding = bytes - 1 - JSON.stringify(base).length;
    text += `${JSON.stringify({ ...base, content: "x".repeat(padding) })}\n`;
  }
  return text;
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

const ms = (value: string | number) =>
  typeof value === "number" ? (value < 1e11 ? value * 1000 : value) : Date.parse(value);

/**
 * Routes of a fake Viben shaped like its `/api/group-chats`: every chat in one list (the gateway
 * filters), no counts (so the members and sessions calls run), global chats named by the folder
 * they live in (`<home>/.viben`).
 */
export function vibenApiRoutes(chats: readonly ChatModel[], home: string): Record<string, Route> {
  const listed = chats.filter((chat) => !chat.diskOnly);
  const routes: Record<string, Reply> = {
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
  for (const chat of listed) {
    // A chat without members.yaml has no members route: an unknown count, as on disk.
    if (chat.members !== undefined)
      routes[`/group-chats/${chat.id}/members`] = { json: { members: chat.members } };
    routes[`/group-chats/${chat.id}/sessions`] = {
      json: {
        sessions: (chat.sessions ?? []).map((session) => {
          const times = (session.messages ?? []).map((message) => ms(message.timestamp));
          return {
            id: session.id,
            status: session.config.status,
            created_at: session.config.createdAt ?? session.config.created_at,
            updated_at: session.config.updatedAt ?? session.config.updated_at,
            last_message_at: times.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
          };
        }),
      },
    };
  }
  return routes;
}

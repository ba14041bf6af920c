// The demo's sample Viben workspace chat (SAMPLE DATA), as files in Viben's own format, held in
// memory behind the LocalFs the local sources read through: the demo writes nothing to disk,
// yet its `local_group_chats` source reads a workspace chat as it would on a desktop — one that
// keeps read markers, so the README's `POST /api/chat-list/read` example works against it.
import type { DirEntry, FileStat, LocalFs } from "../src/sources/local/local-fs.js";

const encoder = new TextEncoder();

/** A read-only file system of `files` (absolute path → text); their folders exist too. */
export function memoryFs(files: Record<string, string>, mtimeMs: number): LocalFs {
  const bytes = new Map(Object.entries(files).map(([path, text]) => [path, encoder.encode(text)]));
  const dirs = new Set<string>();
  for (const path of bytes.keys())
    for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1))
      dirs.add(path.slice(0, at));
  const kindOf = (path: string): FileStat["kind"] | null =>
    bytes.has(path) ? "file" : dirs.has(path) ? "dir" : null;
  return {
    async readDir(path) {
      if (!dirs.has(path)) return null;
      const names = new Map<string, DirEntry["kind"]>();
      for (const entry of [...bytes.keys(), ...dirs]) {
        if (!entry.startsWith(`${path}/`)) continue;
        const name = entry.slice(path.length + 1);
        if (!name.includes("/")) names.set(name, bytes.has(entry) ? "file" : "dir");
      }
      return [...names].map(([name, kind]) => ({ name, kind }));
    },
    async stat(path) {
      const kind = kindOf(path);
      if (kind === null) return null;
      return { kind, mtimeMs, size: bytes.get(path)?.byteLength ?? 0 };
    },
    async realPath(path) {
      return kindOf(path) === null ? null : path;
    },
    async readHead(path, maxBytes, firstLineOnly) {
      const file = bytes.get(path);
      if (file === undefined) return null;
      const text = new TextDecoder().decode(file.subarray(0, maxBytes));
      return firstLineOnly ? (text.split("\n")[0] ?? "") : text;
    },
    async readRange(path, start, maxBytes) {
      return bytes.get(path)?.subarray(start, start + maxBytes) ?? null;
    },
  };
}

/**
 * Ana's home and her workspace's group chat "project-chat": Ana and two agents, three agent
 * replies since Ana last looked (its unread badge: 3).
 */
export function sampleVibenHome(workspace: string, minutesAgo: (minutes: number) => string) {
  const chat = `${workspace}/.viben/group-chats/project-chat`;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const member = (id: string, type: "human" | "agent", displayName: string) => ({
    id,
    type,
    refId: id,
    displayName,
    role: type === "human" ? "owner" : "member",
    joinedAt: minutesAgo(10_000),
    ...(type === "human" ? { lastSeenAt: minutesAgo(40) } : {}),
  });
  const message = (index: number, minutes: number, senderType: "human" | "agent") =>
    JSON.stringify({
      id: `m${index}`,
      senderId: senderType === "human" ? "u1" : "reviewer",
      senderType,
      senderName: senderType === "human" ? "Ana" : "Reviewer",
      type: "text",
      content: "Sample data",
      timestamp: minutesAgo(minutes),
    });
  return memoryFs(
    {
      [`${chat}/config.yaml`]: json({
        id: "project-chat",
        name: "Sample · Project discussion",
        description: "Sample data: you, the reviewer and the planner on this project",
        createdBy: "u1",
        createdAt: minutesAgo(10_000),
        updatedAt: minutesAgo(10_000),
      }),
      [`${chat}/members.yaml`]: json([
        member("u1", "human", "Ana"),
        member("reviewer", "agent", "Reviewer"),
        member("planner", "agent", "Planner"),
      ]),
      [`${chat}/sessions/s1/config.yaml`]: json({
        status: "active",
        createdAt: minutesAgo(90),
        updatedAt: minutesAgo(1),
      }),
      [`${chat}/sessions/s1/messages.ui.jsonl`]: `${[
        message(1, 45, "human"),
        message(2, 30, "agent"),
        message(3, 10, "agent"),
        message(4, 1, "agent"),
      ].join("\n")}\n`,
    },
    Date.now(),
  );
}

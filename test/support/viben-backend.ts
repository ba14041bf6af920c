import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A loopback backend in the shape of a running Viben (its gateway on 18791, as the recipe runs
 * it): the APIs its desktop calls on the page that also shows the chat list, its `/api/events`
 * SSE, and its `/ws` events socket with Viben's Subscribe/Subscribed protocol — plus what the
 * pass-through tests need to look at: every request's headers, a download of any size written
 * as the reader takes it, an answer that never comes, one cut mid-body.
 */
export interface VibenBackend {
  url: string;
  /** Every HTTP request received: method, path with query, headers. */
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  /** Sends one event to every open /api/events stream. */
  emitEvent(type: string, data: unknown): void;
  /** Resolves once `count` /api/events streams are open. */
  eventStreams(count: number): Promise<void>;
  /** Sends one Viben `Event` to every open /ws socket subscribed to its channel. */
  broadcast(channel: string, payload: unknown): void;
  /** The /ws sockets open now, and how those that closed ended. */
  sockets: { open: () => number; closes: Array<{ code: number; reason: string }> };
  /** Bytes of /download/<n> handed to the socket so far. */
  downloaded: () => number;
  /** TCP connections open to the backend now. */
  connections: () => number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export async function startVibenBackend(): Promise<VibenBackend> {
  const requests: VibenBackend["requests"] = [];
  const eventStreams = new Set<ServerResponse>();
  const streamWaiters = new Set<() => void>();
  let downloaded = 0;
  const connections = new Set<Socket>();

  const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "", path, headers: req.headers });
    const pathname = path.split("?")[0] ?? "/";
    if (pathname === "/api/group-chats")
      return json(res, 200, {
        workspace_path: null,
        group_chats: [
          {
            id: "project-chat",
            name: "Project chat",
            createdBy: "user",
            createdAt: "2026-12-01T10:00:00.000Z",
            updatedAt: "2026-12-06T10:00:00.000Z",
            workspacePath: null,
            isGlobal: true,
          },
        ],
      });
    if (pathname === "/api/agent/default")
      return json(
        res,
        200,
        { default_agent_id: "coder" },
        { "set-cookie": ["viben_sid=1; Path=/", "theme=dark; Path=/"] },
      );
    if (pathname === "/api/echo") {
      // The request body back, as it arrived, with how many bytes it had.
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () =>
        json(res, 201, {
          bytes: Buffer.concat(chunks).length,
          body: Buffer.concat(chunks).toString("utf8"),
          headers: req.headers,
        }),
      );
      return;
    }
    if (pathname === "/api/headers") return json(res, 200, { headers: req.headers });
    if (pathname === "/api/missing")
      return json(res, 404, { error: "Not Found", message: "no such thing" });
    if (pathname === "/api/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(`event: connected\ndata: {"timestamp":${Date.now()}}\n\n`);
      eventStreams.add(res);
      res.on("close", () => eventStreams.delete(res));
      for (const wake of streamWaiters) wake();
      return;
    }
    const download = /^\/download\/(\d+)$/.exec(pathname);
    if (download) {
      const total = Number(download[1]);
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": String(total),
      });
      let left = total;
      const pump = () => {
        while (left > 0) {
          const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
          left -= chunk.length;
          downloaded += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
      return;
    }
    if (pathname === "/api/hang") return; // headers never come
    if (pathname === "/api/cut") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: first\ndata: 1\n\n");
      setImmediate(() => req.socket.destroy());
      return;
    }
    json(res, 404, { error: "Not Found" });
  });
  server.on("connection", (socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
  });

  // Viben's events socket: Subscribe → Subscribed; Ping → Pong; events as {type: "Event", data}.
  const closes: VibenBackend["sockets"]["closes"] = [];
  const subscribed = new Map<WebSocket, Set<string>>();
  const wss = new WebSocketServer({ server, path: "/ws" });
  wss.on("connection", (ws) => {
    subscribed.set(ws, new Set());
    ws.on("message", (raw, binary) => {
      if (binary) return void ws.send(raw, { binary: true }); // binary frames echo back
      let message: { type?: string; data?: { channels?: string[] } };
      try {
        message = JSON.parse(String(raw));
      } catch {
        return void ws.send(
          JSON.stringify({ type: "Error", data: { message: "Failed to parse message" } }),
        );
      }
      if (message.type === "Ping") return void ws.send(JSON.stringify({ type: "Pong" }));
      if (message.type === "Subscribe") {
        const channels = subscribed.get(ws) ?? new Set();
        for (const channel of message.data?.channels ?? []) channels.add(channel);
        ws.send(JSON.stringify({ type: "Subscribed", data: { channels: [...channels] } }));
      }
    });
    ws.on("close", (code, reason) => {
      subscribed.delete(ws);
      closes.push({ code, reason: reason.toString() });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    emitEvent(type, data) {
      for (const res of eventStreams)
        res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    eventStreams(count) {
      return new Promise((resolve) => {
        const check = () => {
          if (eventStreams.size < count) return;
          streamWaiters.delete(check);
          resolve();
        };
        streamWaiters.add(check);
        check();
      });
    },
    broadcast(channel, payload) {
      for (const [ws, channels] of subscribed)
        if (channels.has(channel))
          ws.send(JSON.stringify({ type: "Event", data: { channel, payload } }));
    },
    sockets: { open: () => subscribed.size, closes },
    downloaded: () => downloaded,
    connections: () => connections.size,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

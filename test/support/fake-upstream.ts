import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";

/** What a fake upstream route answers. */
export interface Reply {
  status?: number;
  /** Serialized as JSON (unless `body` is given). */
  json?: unknown;
  /** Raw body text. */
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before the headers. */
  delayMs?: number;
  /** Never answer (the socket stays open until the client gives up). */
  hang?: boolean;
  /** Destroy the socket: before the headers, or after `resetAfterBytes` of the body. */
  reset?: boolean;
  resetAfterBytes?: number;
  /** Send the body `chunkBytes` at a time, one chunk every `everyMs`. */
  trickle?: { chunkBytes: number; everyMs: number };
  /** Gzip the body and say so in Content-Encoding. */
  gzip?: boolean;
  /** Called once the whole answer was handed to a connection that was still open (not when
   * the client had gone away first). */
  onSent?: () => void;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The request's body as text (empty for a GET). */
  body?: string;
  /** Body bytes written so far, and whether the whole body went out (loopback server only). */
  sent?: { bytes: number; completed: boolean };
}

export type Route = Reply | ((call: RecordedCall) => Reply | Promise<Reply>);

export interface FakeUpstream {
  url: string;
  calls: RecordedCall[];
  /** Calls whose path is exactly `path`. */
  callsTo(path: string): RecordedCall[];
  /** TCP connections accepted since the server started. */
  connections(): number;
  /** Replaces or adds routes (matched by exact path; unmatched paths answer 404). */
  route(routes: Record<string, Route>): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 and a free port, with canned answers per path, that records
 * every call. Closing it destroys any socket still open (hanging replies included).
 */
export async function startFakeUpstream(routes: Record<string, Route> = {}): Promise<FakeUpstream> {
  const table = new Map(Object.entries(routes));
  const calls: RecordedCall[] = [];
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://upstream.invalid");
    const call: RecordedCall = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
    };
    calls.push(call);
    // Recorded as soon as it arrives; routes see the whole body.
    if (call.method !== "GET" && call.method !== "HEAD") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      call.body = Buffer.concat(chunks).toString("utf8");
    }
    const route = table.get(url.pathname);
    const reply: Reply =
      route === undefined
        ? { status: 404, json: { detail: "Not Found" } }
        : typeof route === "function"
          ? await route(call)
          : route;
    if (reply.delayMs) {
      // A client that gives up ends the wait: no timer of a closed call outlives it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reply.delayMs);
        res.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed) return;
    }
    if (reply.hang) return;
    if (reply.reset) {
      req.socket.destroy();
      return;
    }
    const text = reply.body ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
    const body = reply.gzip ? gzipSync(text) : Buffer.from(text);
    res.writeHead(reply.status ?? 200, {
      "content-type": reply.body === undefined ? "application/json" : "text/plain",
      ...(reply.gzip ? { "content-encoding": "gzip" } : {}),
      ...reply.headers,
    });
    const sent = { bytes: 0, completed: false };
    call.sent = sent;
    res.on("finish", () => {
      sent.completed = true;
      reply.onSent?.();
    });
    if (reply.resetAfterBytes !== undefined) {
      res.write(body.subarray(0, reply.resetAfterBytes));
      sent.bytes = reply.resetAfterBytes;
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    if (reply.trickle !== undefined) {
      const { chunkBytes, everyMs } = reply.trickle;
      const timer = setInterval(() => {
        if (res.destroyed || sent.bytes >= body.length) {
          clearInterval(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(body.subarray(sent.bytes, sent.bytes + chunkBytes));
        sent.bytes += chunkBytes;
      }, everyMs);
      res.on("close", () => clearInterval(timer));
      return;
    }
    sent.bytes = body.length;
    res.end(body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  let accepted = 0;
  server.on("connection", (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (path) => calls.filter((call) => call.path === path),
    connections: () => accepted,
    route(more) {
      for (const [path, route] of Object.entries(more)) table.set(path, route);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

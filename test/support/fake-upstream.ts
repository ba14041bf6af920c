import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

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
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

export type Route = Reply | ((call: RecordedCall) => Reply | Promise<Reply>);

export interface FakeUpstream {
  url: string;
  calls: RecordedCall[];
  /** Calls whose path is exactly `path`. */
  callsTo(path: string): RecordedCall[];
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
    const route = table.get(url.pathname);
    const reply: Reply =
      route === undefined
        ? { status: 404, json: { detail: "Not Found" } }
        : typeof route === "function"
          ? await route(call)
          : route;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (reply.hang) return;
    if (reply.reset) {
      req.socket.destroy();
      return;
    }
    const body = reply.body ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
    res.writeHead(reply.status ?? 200, {
      "content-type": reply.body === undefined ? "application/json" : "text/plain",
      ...reply.headers,
    });
    if (reply.resetAfterBytes !== undefined) {
      res.write(body.slice(0, reply.resetAfterBytes));
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    res.end(body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (path) => calls.filter((call) => call.path === path),
    route(more) {
      for (const [path, route] of Object.entries(more)) table.set(path, route);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

import {
  createServer,
  type RequestListener,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import type { DirectResponse, ListFastPath } from "../../http/chat-list/list-fast-path.js";
import type { RawRequestHeaders } from "../../http/request-header.js";
import type { ForwardedAddressResolver } from "./client-address.js";
import { requestHeadersOf } from "./request-headers.js";

/**
 * A request listener that offers every request to the list's direct path first and hands the
 * rest to `app` (node-server's listener for the Hono app). A list request answered this way is
 * read from Node's IncomingMessage and written to its ServerResponse as one header object and
 * one body: no web Request, Response or Headers is built for it.
 */
export function withListFastPath(
  fastPath: ListFastPath,
  options: {
    /** The client's address from the socket's and X-Forwarded-For (see trustProxy). */
    clientAddress: ForwardedAddressResolver;
    /** A direct answer that failed to be written (a bug: the answer itself never rejects). */
    onError: (error: unknown) => void;
  },
  app: RequestListener,
): RequestListener {
  return (incoming, outgoing) => {
    let headers: RawRequestHeaders | undefined;
    const header = (name: string) => {
      headers ??= requestHeadersOf(incoming);
      const value = headers[name];
      return typeof value === "string" || value === undefined ? value : value.join(", ");
    };
    const pending = fastPath({
      method: incoming.method ?? "",
      target: incoming.url ?? "",
      header,
      clientAddress: () =>
        options.clientAddress(incoming.socket.remoteAddress, header("x-forwarded-for")),
    });
    if (pending === null) {
      app(incoming, outgoing);
      return;
    }
    pending.then(
      (response) => write(outgoing, response),
      (error: unknown) => {
        options.onError(error);
        outgoing.destroy();
      },
    );
  };
}

/**
 * node-server's `createServer` option: Node's own, with every request offered to the list's
 * direct path before node-server's listener (withListFastPath).
 */
export function serverWithListFastPath(
  fastPath: ListFastPath,
  options: Parameters<typeof withListFastPath>[1],
): typeof createServer {
  return ((serverOptions: ServerOptions, app: RequestListener) =>
    createServer(serverOptions, withListFastPath(fastPath, options, app))) as typeof createServer;
}

function write(outgoing: ServerResponse, { status, headers, body }: DirectResponse): void {
  // The client may have gone while the sources were asked; there is no one to answer.
  if (outgoing.destroyed) return;
  if (body !== null)
    headers["Content-Length"] = String(
      typeof body === "string" ? Buffer.byteLength(body) : body.byteLength,
    );
  outgoing.writeHead(status, headers);
  outgoing.end(body ?? undefined);
}

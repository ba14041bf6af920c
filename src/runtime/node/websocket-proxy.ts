import type { IncomingMessage } from "node:http";
import { type HttpBindings, upgradeWebSocket } from "@hono/node-server";
import type { Context } from "hono";
import WebSocket, { WebSocketServer } from "ws";
import type { Logger } from "../../core/logger.js";
import type { AppEnv } from "../../http/app-env.js";
import { BackendError, type WebSocketUpgrade } from "../../proxy/backend.js";

/** Largest message relayed either way; ws closes a socket that sends a bigger one (1009). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Bytes queued towards one side before the other side is no longer read from. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** How long a closing handshake may take at shutdown before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

interface Bridge {
  client: WebSocket;
  backend: WebSocket;
}

/** Whether `ws` may send this close code (RFC 6455 §7.4: 1005, 1006 and 1015 are never sent). */
function sendableCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) ||
    (code >= 3000 && code <= 4999)
  );
}

/** Ends `socket` the way its peer's socket ended: the same code and reason, a cut for a cut. */
function closeLike(socket: WebSocket, code: number, reason: Buffer | string): void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return;
  if (code === 1006) socket.terminate();
  else if (sendableCode(code)) socket.close(code, reason);
  else socket.close();
}

/** Sends `data` to `to`, and stops reading `from` while `to` has more than it can take. */
function relay(to: WebSocket, from: WebSocket, data: WebSocket.RawData | string, binary: boolean) {
  if (to.readyState !== WebSocket.OPEN) return;
  to.send(data, { binary }, () => {
    if (from.isPaused && to.bufferedAmount < HIGH_WATER_BYTES / 2) from.resume();
  });
  if (to.bufferedAmount > HIGH_WATER_BYTES && !from.isPaused) from.pause();
}

/**
 * WebSocket pass-through on Node (DESIGN §12), with `ws` on both sides: the backend's socket is
 * opened first, so a backend that is down or refuses is answered as such (502, or its own
 * status) instead of a socket that opens and dies; then node-server completes the caller's
 * upgrade (its `upgradeWebSocket`, after the app's door has run) and frames flow both ways as
 * they are, text as text and binary as binary, each close passed to the other side.
 */
export function createNodeWebSocketProxy(logger: Logger) {
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_MESSAGE_BYTES,
    // The caller gets the subprotocol the backend chose.
    handleProtocols: (offered, request) => {
      const chosen = chosenProtocol.get(request);
      return chosen !== undefined && offered.has(chosen) ? chosen : false;
    },
  });
  const bridges = new Set<Bridge>();

  /** The backend's socket, open; or the backend's refusal as a response; or a BackendError. */
  function connect(upgrade: WebSocketUpgrade, caller: IncomingMessage) {
    const backend = new WebSocket(upgrade.url.replace(/^http/, "ws"), upgrade.protocols, {
      headers: Object.fromEntries(upgrade.headers),
      perMessageDeflate: false,
      maxPayload: MAX_MESSAGE_BYTES,
      handshakeTimeout: upgrade.headersTimeoutMs,
      followRedirects: false,
    });
    // The caller gave up while the backend was being reached.
    const abandon = () => backend.terminate();
    caller.socket.once("close", abandon);
    return new Promise<WebSocket | Response>((resolve, reject) => {
      backend.once("open", () => resolve(backend));
      backend.once("unexpected-response", (request, response) => {
        const status = response.statusCode ?? 502;
        request.destroy();
        resolve(new Response(null, { status: status >= 200 && status <= 599 ? status : 502 }));
      });
      backend.once("error", (error) => {
        reject(
          /timed out/i.test(error.message)
            ? new BackendError("timeout", `no handshake within ${upgrade.headersTimeoutMs} ms`)
            : new BackendError("unreachable", "the backend could not be reached", { cause: error }),
        );
      });
    }).finally(() => caller.socket.off("close", abandon));
  }

  function bridge(client: WebSocket, backend: WebSocket): void {
    const pair = { client, backend };
    bridges.add(pair);
    backend.on("message", (data, binary) => relay(client, backend, data, binary));
    backend.on("close", (code, reason) => {
      bridges.delete(pair);
      closeLike(client, code, reason);
    });
    client.on("close", (code, reason) => {
      bridges.delete(pair);
      closeLike(backend, code, reason);
    });
  }

  async function upgradeToBackend(
    c: Context<AppEnv>,
    upgrade: WebSocketUpgrade,
  ): Promise<Response> {
    const caller = (c.env as HttpBindings).incoming;
    const backend = await connect(upgrade, caller);
    if (backend instanceof Response) return backend;
    // Errors end in `close`, which ends the other side; this only keeps them from throwing.
    backend.on("error", (error) =>
      logger.warn({ event: "proxied_socket_error", side: "backend", error: String(error) }),
    );
    if (backend.protocol !== "") chosenProtocol.set(caller, backend.protocol);
    // Until the caller's side is open, each side's end must end the other by hand.
    let bridged = false;
    caller.socket.once("close", () => {
      if (!bridged) backend.terminate();
    });
    const backendGone = () => caller.socket.destroy();
    backend.once("close", backendGone);
    const answer = await upgradeWebSocket(() => ({
      onOpen(_event, ws) {
        bridged = true;
        backend.off("close", backendGone);
        const client = ws.raw as WebSocket;
        client.on("error", (error) =>
          logger.warn({ event: "proxied_socket_error", side: "caller", error: String(error) }),
        );
        bridge(client, backend);
      },
      // What the caller sends, the messages sent before onOpen included (node-server keeps
      // those): a string for a text frame, an ArrayBuffer for a binary one.
      onMessage(event, ws) {
        const data = event.data as string | ArrayBuffer;
        relay(backend, ws.raw as WebSocket, data as string, typeof data !== "string");
      },
    }))(c as unknown as Context, async () => {});
    return answer ?? new Response(null, { status: 500 });
  }

  return {
    /** For node-server's `websocket` option: it completes the callers' upgrades. */
    server,
    upgrade: upgradeToBackend,
    open: () => bridges.size,
    /** Shutdown: every proxied socket closed with 1001 (going away) on both sides, cut if its
     * closing handshake has not ended within a second. */
    closeAll(): void {
      for (const { client, backend } of bridges)
        for (const socket of [client, backend]) {
          socket.close(1001, "gateway shutting down");
          setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
        }
    },
  };
}

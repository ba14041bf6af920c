import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env.js";
import type { BackendSend, WebSocketUpgrade } from "../../proxy/backend.js";

/**
 * WebSocket pass-through on Workers (DESIGN §12): the upgrade is fetched from the backend, and
 * the socket workerd hands back is answered to the caller as it is, so workerd itself carries
 * frames and closes both ways. A backend that does not upgrade is answered with its own status.
 */
export function workerWebSocketUpgrade(send: BackendSend) {
  return async function upgrade(c: Context<AppEnv>, request: WebSocketUpgrade): Promise<Response> {
    const headers = new Headers(request.headers);
    headers.set("upgrade", "websocket");
    if (request.protocols.length > 0)
      headers.set("sec-websocket-protocol", request.protocols.join(", "));
    const answer = await send({
      url: request.url,
      method: "GET",
      headers,
      body: null,
      signal: c.req.raw.signal,
      headersTimeoutMs: request.headersTimeoutMs,
    });
    const socket = answer.webSocket;
    if (answer.status !== 101 || socket === null || socket === undefined) {
      await answer.body?.cancel();
      return new Response(null, { status: answer.status >= 200 ? answer.status : 502 });
    }
    const chosen = answer.headers.get("sec-websocket-protocol");
    return new Response(null, {
      status: 101,
      webSocket: socket,
      headers: chosen === null ? {} : { "sec-websocket-protocol": chosen },
    });
  };
}

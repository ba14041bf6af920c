import type { ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env.js";
import type { DirectStreams } from "../../http/stream/stream.handler.js";
import type { SseSink } from "../../live/sse.js";
import { nodeBindings } from "./bindings.js";

/**
 * Live streams written to node-server's ServerResponse itself. An idle stream then holds the
 * connection and a few closures; through a web ReadableStream it also held the stream, its
 * controller and queue, a reader with a pending read, and node-server's pump around them.
 * The handler answers with node-server's "already sent" response, which it leaves alone.
 */
export const directStreams: DirectStreams = {
  connection(c: Context<AppEnv>) {
    const { outgoing } = nodeBindings(c);
    if (outgoing === undefined) return undefined;
    return (headers) => openSink(outgoing, headers);
  },
  sent: RESPONSE_ALREADY_SENT,
};

function openSink(outgoing: ServerResponse, headers: Record<string, string>): SseSink {
  outgoing.writeHead(200, headers);
  // The status line and headers go out now, not with the first event.
  outgoing.flushHeaders();
  return {
    write(text) {
      outgoing.write(text);
    },
    queuedBytes: () => outgoing.writableLength,
    end() {
      outgoing.end();
    },
    cut() {
      outgoing.destroy();
    },
    onGone(listener) {
      // A client that left before the stream opened has already closed the response.
      if (outgoing.destroyed) queueMicrotask(listener);
      else
        outgoing.once("close", () => {
          if (!outgoing.writableFinished) listener();
        });
    },
  };
}

type FetchHandler = (
  request: Request,
  env: { outgoing: ServerResponse | undefined },
) => Response | Promise<Response>;

/**
 * The app's fetch for node-server, with one guarantee more: once a handler has written its
 * response itself, node-server is told so, whatever became of the Response on the way out (a
 * HEAD wrapper or a middleware may have copied it into one node-server would write again).
 */
export function alreadySentAware<F extends FetchHandler>(fetch: F): F {
  // A WebSocket upgrade has no ServerResponse (node-server passes `outgoing: undefined`).
  return (async (request: Request, env: { outgoing: ServerResponse | undefined }) => {
    const response = await fetch(request, env);
    return env.outgoing?.headersSent ? RESPONSE_ALREADY_SENT : response;
  }) as F;
}

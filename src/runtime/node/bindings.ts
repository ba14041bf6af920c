import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";

/** What @hono/node-server passes as a request's env: Node's own request and response. Absent
 * when the app is called another way (app.request in tests). */
export function nodeBindings(c: Context): {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
} {
  return (c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined) ?? {};
}

import type { ServerResponse } from "node:http";
import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env.js";

/** Destroys the socket of a request served by @hono/node-server (which passes `outgoing` as the
 * request's env): a stream whose client stopped reading ends at once, without a stack trace. */
export function cutConnection(c: Context<AppEnv>): void {
  (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing?.destroy();
}

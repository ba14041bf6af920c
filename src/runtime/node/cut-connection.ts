import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env.js";
import { nodeBindings } from "./bindings.js";

/**
 * How to destroy the socket of a request served by @hono/node-server (which passes `outgoing`
 * as the request's env): a stream whose client stopped reading then ends at once, without a
 * stack trace. The function keeps only the response, not the request's context.
 */
export function cutConnection(c: Context<AppEnv>): (() => void) | undefined {
  const { outgoing } = nodeBindings(c);
  return outgoing === undefined ? undefined : () => outgoing.destroy();
}

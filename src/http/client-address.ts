import type { Context } from "hono";
import type { AppEnv } from "./app-env.js";

/** How the runtime tells who is calling: on Node the socket's address (or, with trusted
 * proxies, the closest untrusted X-Forwarded-For entry); on Workers CF-Connecting-IP. */
export type ClientAddressResolver = (c: Context<AppEnv>) => string | undefined;

/** The address logged and rate-limited for a client whose address the runtime cannot tell. */
export const UNKNOWN_CLIENT = "unknown";

/** The client's address for rate limits and logs, resolved once per request. */
export function clientAddressOf(c: Context<AppEnv>, resolve: ClientAddressResolver): string {
  let address = c.get("clientAddress");
  if (address === undefined) {
    address = resolve(c) ?? UNKNOWN_CLIENT;
    c.set("clientAddress", address);
  }
  return address;
}

import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env.js";
import type { RawRequestHeaders } from "../../http/request-header.js";
import { nodeBindings } from "./bindings.js";

/** Headers the gateway reads of which Node keeps only the first when a request repeats them. */
const FIRST_ONLY = new Set(["host", "authorization", "content-type"]);

/**
 * The request headers as Node parsed them (node-server keeps the IncomingMessage in the
 * context), for headerOf. Node keeps only the first Host, Authorization or Content-Type of a
 * request that repeats one; the Host check and the token and JSON rules must see every value
 * (two Hosts is not a loopback name), so a request that repeats one gets them joined with ", ",
 * as a web Headers object joins them.
 */
export function nodeRequestHeaders(c: Context<AppEnv>): RawRequestHeaders | undefined {
  const { incoming } = nodeBindings(c);
  return incoming === undefined ? undefined : requestHeadersOf(incoming);
}

/** An IncomingMessage's headers as nodeRequestHeaders reads them. */
export function requestHeadersOf(incoming: IncomingMessage): RawRequestHeaders {
  const raw = incoming.rawHeaders;
  let seen: Set<string> | undefined;
  let repeated: Set<string> | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    const name = (raw[index] as string).toLowerCase();
    if (!FIRST_ONLY.has(name)) continue;
    seen ??= new Set();
    if (seen.has(name)) {
      repeated ??= new Set();
      repeated.add(name);
    }
    seen.add(name);
  }
  if (repeated === undefined) return incoming.headers;
  const headers: Record<string, string | string[] | undefined> = { ...incoming.headers };
  for (const name of repeated) headers[name] = incoming.headersDistinct[name]?.join(", ");
  return headers;
}

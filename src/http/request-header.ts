import type { Context } from "hono";
import type { AppEnv } from "./app-env.js";

/** A request's headers as the runtime's HTTP parser left them: lower-case names, a value or a
 * list of values. Node's IncomingMessage.headers has this shape. */
export type RawRequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** How a runtime hands over its already parsed request headers (Node: node-server's
 * IncomingMessage); undefined where it has none, and the Request's Headers are read instead. */
export type RawHeadersOf = (c: Context<AppEnv>) => RawRequestHeaders | undefined;

/**
 * One request header by lower-case name. Where the runtime gave its parsed headers (Node), they
 * are read directly: asking the Request instead would build a web `Headers` object from them on
 * every request, which on the warm path cost more than the list itself. Repeated headers are
 * joined as the runtime joined them (Node: cookies with "; ", others with ", ").
 */
export function headerOf(c: Context<AppEnv>, name: string): string | undefined {
  const raw = c.get("rawHeaders");
  if (raw === undefined) return c.req.header(name);
  const value = raw[name];
  return typeof value === "string" || value === undefined ? value : value.join(", ");
}

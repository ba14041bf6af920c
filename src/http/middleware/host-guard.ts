import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../problem.js";
import { headerOf } from "../request-header.js";

export interface HostGuardOptions {
  /** Whether the gateway listens on a loopback address (a desktop's local gateway). */
  loopbackListener: boolean;
  /** Lower-case host names (or "*.suffix" patterns, or bracketed IPv6 literals) also answered. */
  allowedHosts: readonly string[];
}

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The host name a Host header names, lower-case, without port or trailing dot. */
export function hostNameOf(host: string): string {
  const text = host.trim().toLowerCase();
  const bracketed = /^(\[[^\]]*\])(:\d*)?$/.exec(text);
  const name = bracketed?.[1] ?? text.replace(/:\d*$/, "");
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** Whether a host name (as hostNameOf gives it) names this machine's loopback interface. */
export function isLoopbackHost(name: string): boolean {
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name === "[::1]" || name === "[0:0:0:0:0:0:0:1]") return true;
  return IPV4_LOOPBACK.test(name) && name.split(".").every((part) => Number(part) <= 255);
}

function isAllowed(name: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((allowed) =>
    allowed.startsWith("*.") ? name.endsWith(allowed.slice(1)) : name === allowed,
  );
}

/**
 * The DNS-rebinding check (DESIGN §10). A web page can rebind its own name to 127.0.0.1 and
 * then talk to a local gateway as a same-origin page; its requests still carry its own name in
 * Host. So a gateway on loopback answers only Hosts that name loopback or are allowed by config,
 * and anything else gets 421 before any source is touched. On other addresses the check applies
 * only when `allowedHosts` is configured. The returned function throws that 421.
 */
export function hostCheck(options: HostGuardOptions): (host: string) => void {
  const { loopbackListener, allowedHosts } = options;
  // The last Host answered: a client sends the same one on every request, and the verdict
  // depends on nothing else.
  let lastAllowed: string | undefined;
  return function checkHost(host) {
    if (host === lastAllowed) return;
    const name = hostNameOf(host);
    if ((loopbackListener && isLoopbackHost(name)) || isAllowed(name, allowedHosts)) {
      lastAllowed = host;
      return;
    }
    const shown = JSON.stringify(name.slice(0, 255));
    throw new ApiError(
      "host_not_allowed",
      loopbackListener
        ? `Host ${shown} is not a loopback name and not in http.allowedHosts`
        : `Host ${shown} is not in http.allowedHosts`,
    );
  };
}

/** A hostCheck as middleware. */
export function hostGuard(check: (host: string) => void): MiddlewareHandler<AppEnv> {
  return async function guardHost(c, next) {
    check(headerOf(c, "host") ?? new URL(c.req.url).host);
    return next();
  };
}

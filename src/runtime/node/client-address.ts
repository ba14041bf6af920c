import proxyaddr from "proxy-addr";
import type { Config } from "../../config/schema.js";

/** The client's address from the socket's and the X-Forwarded-For header. */
export type ForwardedAddressResolver = (
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
) => string | undefined;

/**
 * Resolves the client address as Express does (proxy-addr): walking from the socket's address
 * back through X-Forwarded-For, right to left, for as long as each hop is a trusted proxy; the
 * first untrusted address is the client. With `false` the header is never read, so a client
 * cannot spoof its way into another rate-limit bucket. Throws a TypeError naming a bad address.
 */
export function createForwardedAddressResolver(
  trustProxy: Config["http"]["trustProxy"],
): ForwardedAddressResolver {
  if (trustProxy === false || trustProxy === 0) return (socketAddress) => socketAddress;
  const trust =
    typeof trustProxy === "number"
      ? (_address: string, hop: number) => hop < trustProxy
      : proxyaddr.compile(trustProxy);
  return (socketAddress, forwardedFor) => {
    if (socketAddress === undefined) return undefined;
    const request = {
      headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
      connection: { remoteAddress: socketAddress },
      socket: { remoteAddress: socketAddress },
    };
    return proxyaddr(request as unknown as Parameters<typeof proxyaddr>[0], trust);
  };
}

/** Whether a listening address is this machine's loopback interface. */
export function isLoopbackAddress(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

import { Agent, fetch as undiciFetch } from "undici";
import type { FetchLike } from "../../upstream/http-client.js";

export interface PooledFetch {
  fetch: FetchLike;
  /** Closes every pooled connection (graceful shutdown, tests). */
  close(): Promise<void>;
}

/** undici's fetch over one keep-alive pool, at most `connectionsPerOrigin` sockets per origin. */
export function createPooledFetch(connectionsPerOrigin: number): PooledFetch {
  const agent = new Agent({
    connections: connectionsPerOrigin,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
  });
  return {
    fetch: (url, init) =>
      undiciFetch(url, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher: agent,
      }) as unknown as Promise<Response>,
    close: () => agent.close(),
  };
}

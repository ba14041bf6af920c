import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { parseConfig } from "../../src/config/load.js";
import type { Clock } from "../../src/core/clock.js";
import type { Logger } from "../../src/core/logger.js";
import { createGateway } from "../../src/http/app.js";
import type { WatchDir } from "../../src/live/disk-watchers.js";
import type { LiveStreams } from "../../src/live/streams.js";
import type { GatewayMetrics } from "../../src/observability/metrics.js";
import { cutConnection } from "../../src/runtime/node/cut-connection.js";
import { alreadySentAware, directStreams } from "../../src/runtime/node/direct-streams.js";
import { createDocsAssetReader } from "../../src/runtime/node/docs-assets.js";
import { serverWithListFastPath } from "../../src/runtime/node/list-lane.js";
import { nodeRequestHeaders } from "../../src/runtime/node/request-headers.js";
import { nodeSha256Hex } from "../../src/runtime/node/sha256.js";
import { createPooledFetch } from "../../src/runtime/node/undici-fetch.js";
import type { LocalSourceFactory } from "../../src/sources/local/index.js";
import type { ReadMarkerStore } from "../../src/state/read-marker-store.js";
import type { WriteStore } from "../../src/state/write-store.js";

export interface TestGateway {
  url: string;
  /** GET a gateway path, optionally as a user with a psession cookie. */
  get(
    path: string,
    init?: { psession?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface GatewayOptions {
  clock?: Clock;
  metrics?: GatewayMetrics;
  /** Serve live streams as web ReadableStreams, as the Worker does, rather than writing them
   * to the connection as the Node entry does. */
  webStreams?: boolean;
  /** Answer the list through the Hono app alone, without the Node entry's direct path. */
  framework?: boolean;
  /** The local source kinds, and the disk watches of their live feeds, as the Node entry has. */
  local?: LocalSourceFactory;
  watchDir?: WatchDir;
  /** Where read markers live; in memory when absent. */
  readMarkers?: ReadMarkerStore;
  /** The process's live streams (to drive their timers by hand). */
  live?: LiveStreams;
  writeStore?: WriteStore;
}

/** The Node gateway as `npm start` builds it (undici pool, real server on 127.0.0.1:0). */
export async function startGateway(
  config: unknown,
  options: GatewayOptions = {},
): Promise<TestGateway> {
  const logs: Record<string, unknown>[] = [];
  const record = (level: string) => (event: Record<string, unknown>) =>
    logs.push({ level, ...event });
  const logger: Logger = { info: record("info"), warn: record("warn"), error: record("error") };
  const parsed = parseConfig(config);
  const pool = createPooledFetch(parsed.upstream.connectionsPerOrigin);
  const { app, listFastPath } = createGateway({
    config: parsed,
    fetch: pool.fetch,
    logger,
    docsAssets: createDocsAssetReader(),
    // As npm start on 127.0.0.1: the socket's address, and only loopback Hosts answered.
    clientAddress: (c) => getConnInfo(c).remote.address,
    loopbackListener: true,
    cutConnection,
    rawHeadersOf: nodeRequestHeaders,
    sha256Hex: nodeSha256Hex,
    ...(options.webStreams ? {} : { directStreams }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.local ? { local: options.local } : {}),
    ...(options.watchDir ? { watchDir: options.watchDir } : {}),
    ...(options.live ? { live: options.live } : {}),
    ...(options.readMarkers ? { readMarkers: options.readMarkers } : {}),
    ...(options.writeStore ? { writeStore: options.writeStore } : {}),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve(
      {
        fetch: alreadySentAware(app.fetch),
        port: 0,
        hostname: "127.0.0.1",
        // As the Node entry: the list through its direct path, unless a test asks otherwise.
        ...(options.framework
          ? {}
          : {
              createServer: serverWithListFastPath(listFastPath, {
                clientAddress: (socketAddress) => socketAddress,
                onError: (error) =>
                  logger.error({ event: "unhandled_error", error: String(error) }),
              }),
            }),
      },
      () => resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    logs,
    get(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.psession !== undefined) headers.cookie = `psession=${init.psession}`;
      return fetch(`${url}${path}`, { headers });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await pool.close();
    },
  };
}

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2026, 10, 22)): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { ConfigError } from "../config/load.js";
import { createJsonLogger } from "../core/logger.js";
import { createApp } from "../http/app.js";
import { createLocalSourceFactory } from "../sources/local/index.js";
import { isLoopbackAddress } from "./node/client-address.js";
import { createDocsAssetReader } from "./node/docs-assets.js";
import { loadNodeSettings } from "./node/env.js";
import { nodeFs } from "./node/node-fs.js";
import { createPooledFetch } from "./node/undici-fetch.js";
import { watchDir } from "./node/watch-dir.js";

/** How long in-flight requests may take to finish after SIGTERM/SIGINT before sockets close. */
const SHUTDOWN_GRACE_MS = 10_000;

function start(): void {
  let settings: ReturnType<typeof loadNodeSettings>;
  try {
    settings = loadNodeSettings(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const { config, port, host } = settings;
  const logger = createJsonLogger((line) => process.stdout.write(`${line}\n`));
  const pool = createPooledFetch(config.upstream.connectionsPerOrigin);
  const app = createApp({
    config,
    fetch: pool.fetch,
    logger,
    local: createLocalSourceFactory({
      fs: nodeFs,
      home: settings.home,
      pathDirs: settings.pathDirs,
      toolEnv: settings.toolEnv,
    }),
    clientAddress: (c) =>
      settings.clientAddress(getConnInfo(c).remote.address, c.req.header("x-forwarded-for")),
    loopbackListener: isLoopbackAddress(host),
    docsAssets: createDocsAssetReader(),
    watchDir,
  });

  const server: ServerType = serve(
    { fetch: app.fetch, port, hostname: host },
    (info: AddressInfo) => {
      const origin = `http://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}`;
      logger.info({
        event: "listening",
        config: settings.configOrigin,
        sources: config.sources.map((source) => source.name),
      });
      process.stdout.write(
        `chat-list gateway on ${origin}\n  list: ${origin}/api/chat-list\n  docs: ${origin}/docs\n`,
      );
    },
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: "shutdown", signal });
    const force = setTimeout(() => {
      logger.warn({ event: "shutdown_forced", after_ms: SHUTDOWN_GRACE_MS });
      if ("closeAllConnections" in server) server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Keep-alive sockets turn idle as their last response ends; close them as they do, so
    // clients are not left waiting for the keep-alive timeout.
    const reapIdle = setInterval(() => {
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    }, 50);
    // close() stops accepting and calls back once in-flight requests have finished.
    server.close(() => {
      clearTimeout(force);
      clearInterval(reapIdle);
      void pool.close().finally(() => process.exit(0));
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

start();

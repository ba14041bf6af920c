import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { ConfigError } from "../config/load.js";
import { systemClock } from "../core/clock.js";
import { createJsonLogger } from "../core/logger.js";
import { createGateway } from "../http/app.js";
import { headerOf } from "../http/request-header.js";
import { createLiveStreams } from "../live/streams.js";
import { createLocalSourceFactory } from "../sources/local/index.js";
import { createNodeBackend } from "./node/backend-client.js";
import { isLoopbackAddress } from "./node/client-address.js";
import { cutConnection } from "./node/cut-connection.js";
import { alreadySentAware, directStreams } from "./node/direct-streams.js";
import { createDocsAssetReader } from "./node/docs-assets.js";
import { loadNodeSettings } from "./node/env.js";
import { createLineWriter } from "./node/line-writer.js";
import { serverWithListFastPath } from "./node/list-lane.js";
import { listenErrorLine } from "./node/listen-error.js";
import { nodeFs, oldestFsCallMs } from "./node/node-fs.js";
import { createPrometheusMetrics } from "./node/prometheus-metrics.js";
import { createNodeReadMarkers, createNodeWriteStore } from "./node/read-markers.js";
import { nodeRequestHeaders } from "./node/request-headers.js";
import { nodeSha256Hex } from "./node/sha256.js";
import { stopGracefully } from "./node/shutdown.js";
import { createPooledFetch } from "./node/undici-fetch.js";
import { watchDir } from "./node/watch-dir.js";
import { createNodeWebSocketProxy } from "./node/websocket-proxy.js";
import { createYamlWorker } from "./node/yaml-worker.js";

async function start(): Promise<void> {
  let settings: ReturnType<typeof loadNodeSettings>;
  try {
    settings = loadNodeSettings(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const { config, port, host } = settings;
  const stdout = createLineWriter((text) => process.stdout.write(text));
  const logger = createJsonLogger(stdout.line);
  // The SDK is loaded only when traces are exported; otherwise the app's spans are the
  // OpenTelemetry API's no-ops and none of the SDK is in memory.
  const tracing = settings.exportTraces
    ? (await import("./node/otlp-tracing.js")).startOtlpTracing(process.env)
    : undefined;
  const pool = createPooledFetch(config.upstream.connectionsPerOrigin);
  const live = createLiveStreams({
    ...config.live,
    clock: systemClock,
    logger,
    timers: { setTimeout, clearTimeout },
  });
  const readMarkers = createNodeReadMarkers(config.state, process.env, settings.home, logger);
  const writeStore = createNodeWriteStore(config.state, process.env, settings.home, logger);
  // DESIGN §12: what the gateway does not answer goes to the backend it fronts, if any.
  const backend =
    config.proxy === undefined
      ? undefined
      : createNodeBackend(config.upstream.connectionsPerOrigin);
  const sockets = config.proxy?.websocket ? createNodeWebSocketProxy(logger) : undefined;
  const { app, listFastPath, passThrough } = createGateway({
    live,
    readMarkers,
    writeStore,
    config,
    fetch: pool.fetch,
    logger,
    local: createLocalSourceFactory({
      fs: nodeFs,
      home: settings.home,
      pathDirs: settings.pathDirs,
      toolEnv: settings.toolEnv,
      parseYaml: createYamlWorker(),
    }),
    clientAddress: (c) =>
      settings.clientAddress(getConnInfo(c).remote.address, headerOf(c, "x-forwarded-for")),
    // node-server keeps Node's own IncomingMessage in the context: its parsed headers are
    // read directly instead of a web Headers object built from them (see headerOf).
    rawHeadersOf: nodeRequestHeaders,
    loopbackListener: isLoopbackAddress(host),
    docsAssets: createDocsAssetReader(),
    watchDir,
    cutConnection,
    directStreams,
    metrics: createPrometheusMetrics(),
    sha256Hex: nodeSha256Hex,
    ...(backend === undefined
      ? {}
      : {
          backend: {
            send: backend.send,
            peerAddress: (c) => getConnInfo(c).remote.address,
            ...(sockets === undefined
              ? {}
              : { upgradeWebSocket: sockets.upgrade, openSockets: sockets.open }),
          },
        }),
  });

  const server: ServerType = serve(
    {
      fetch: alreadySentAware(app.fetch),
      port,
      hostname: host,
      ...(sockets === undefined ? {} : { websocket: { server: sockets.server } }),
      // The list is offered to its direct path before node-server builds a web Request for it.
      createServer: serverWithListFastPath(listFastPath, {
        clientAddress: settings.clientAddress,
        onError: (error) => logger.error({ event: "unhandled_error", error: String(error) }),
      }),
    },
    (info: AddressInfo) => {
      const origin = `http://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}`;
      logger.info({
        event: "listening",
        config: settings.configOrigin,
        sources: config.sources.map((source) => source.name),
      });
      stdout.line(
        `chat-list gateway on ${origin}\n  list: ${origin}/api/chat-list\n  docs: ${origin}/docs`,
      );
    },
  );

  // A port that cannot be had is one line and exit 1, not an unhandled 'error' event.
  const onListenError = (error: NodeJS.ErrnoException) => {
    process.stderr.write(`${listenErrorLine(error, port, host)}\n`);
    process.exit(1);
  };
  server.once("error", onListenError);
  server.once("listening", () => server.off("error", onListenError));

  stopGracefully({
    server,
    logger,
    // Only when the npm start launcher named this process's parent (DESIGN §11): `nohup node
    // dist/node/server.mjs &`, or a script that backgrounds it, outlives the shell it came from.
    watchParent: settings.parentToWatch !== null && settings.parentToWatch === process.ppid,
    release: () =>
      Promise.allSettled([
        pool.close(),
        backend?.close(),
        readMarkers.close(),
        writeStore.close(),
        tracing?.shutdown(),
      ]).then(() => {}),
    oldestPoolCallMs: oldestFsCallMs,
    // Streams never end by themselves: the gateway's own, and what it passes through.
    beforeClose: () => {
      live.shutdown();
      passThrough?.endStreams();
      sockets?.closeAll();
    },
  });
}

await start();

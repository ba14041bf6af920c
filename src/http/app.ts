import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { cors } from "hono/cors";
import { sha256Hex } from "../cache/cache-key.js";
import { createSourceCache } from "../cache/source-cache.js";
import type { Config } from "../config/schema.js";
import { type Clock, systemClock } from "../core/clock.js";
import { type Logger, silentLogger } from "../core/logger.js";
import { createDiskWatchers, type WatchDir } from "../live/disk-watchers.js";
import { createLiveStreams, type LiveStreams } from "../live/streams.js";
import { type GatewayMetrics, noMetrics } from "../observability/metrics.js";
import { type BackendSend, fetchBackend, type WebSocketUpgrade } from "../proxy/backend.js";
import { isGatewayPath } from "../proxy/own-paths.js";
import { createPassThrough, PASS_THROUGH_PATH } from "../proxy/pass-through.js";
import { createCollector } from "../sources/collect.js";
import { createSources } from "../sources/create-sources.js";
import type { LocalSourceFactory } from "../sources/local/index.js";
import { estimatedLoadBytes, type SourceLoad } from "../sources/source.js";
import { createMemoryReadMarkerStore } from "../state/memory-store.js";
import { createMemoryWriteStore } from "../state/memory-write-store.js";
import { type ReadMarkerStore, StoreUnavailableError } from "../state/read-marker-store.js";
import { createReadState } from "../state/read-state.js";
import type { WriteStore } from "../state/write-store.js";
import { createUpstreamClient, type FetchLike } from "../upstream/http-client.js";
import { createWriteEffects } from "../writes/write-effects.js";
import { createWritePipeline } from "../writes/write-pipeline.js";
import type { AppEnv } from "./app-env.js";
import { createChatListHandler } from "./chat-list/chat-list.handler.js";
import { chatListRoute } from "./chat-list/chat-list.routes.js";
import { createCursorCodec } from "./chat-list/cursor.js";
import { createListAnswers } from "./chat-list/list-answer.js";
import { createListFastPath } from "./chat-list/list-fast-path.js";
import { createListViews } from "./chat-list/list-view.js";
import type { ClientAddressResolver } from "./client-address.js";
import { createCallers } from "./credentials.js";
import { type DocsAssetReader, registerDocs } from "./docs.js";
import { errorHandler, notFound, validationHook, writeValidationHook } from "./errors.js";
import { createGroupChatHandlers } from "./group-chats/group-chats.handlers.js";
import { createGroupChatRoute, sendMessageRoute } from "./group-chats/group-chats.routes.js";
import { health, healthRoute, healthzRoute, readyzRoute } from "./health.routes.js";
import { registerMetrics } from "./metrics.route.js";
import { accessToken, tokenCheck } from "./middleware/access-token.js";
import { hostCheck, hostGuard } from "./middleware/host-guard.js";
import { observeRequest } from "./middleware/observe-request.js";
import { originGuard } from "./middleware/origin-guard.js";
import { strictQueryEncoding } from "./middleware/query-encoding.js";
import { createRateLimiter, rateLimit } from "./middleware/rate-limit.js";
import { requestLog } from "./middleware/request-log.js";
import { urlLimit } from "./middleware/url-limit.js";
import { OPENAPI_CONFIG, registerSecuritySchemes } from "./openapi.js";
import { createReadHandler } from "./read/read.handler.js";
import { readRoute } from "./read/read.routes.js";
import type { RawHeadersOf } from "./request-header.js";
import { requestFrame } from "./response-headers.js";
import { createStreamHandler, type DirectStreams } from "./stream/stream.handler.js";
import { LivePatchSchema, streamRoute } from "./stream/stream.routes.js";

export interface AppDeps {
  config: Config;
  /** The runtime's fetch: undici's pooled fetch on Node, the global one on Workers. */
  fetch: FetchLike;
  clock?: Clock;
  logger?: Logger;
  /** Workers: keep background cache refreshes alive through `executionCtx.waitUntil`. Never
   * set on Node, where there is no execution context and nothing needs keeping alive. */
  waitUntilFromExecutionCtx?: boolean;
  /** Node only: builds the local source kinds, which read this machine's disk. */
  local?: LocalSourceFactory;
  /** Node: serves the docs page's scripts from the gateway itself (no CDN, works offline). */
  docsAssets?: DocsAssetReader;
  /** The client's address for rate limits and logs, where the runtime knows it. */
  clientAddress?: ClientAddressResolver;
  /** Node: the request's headers as Node parsed them (node-server's IncomingMessage), read
   * instead of building a web Headers object on every request. */
  rawHeadersOf?: RawHeadersOf;
  /** Whether the server listens on a loopback address: then only loopback Hosts (and
   * http.allowedHosts) are answered, against DNS rebinding (DESIGN §10). */
  loopbackListener?: boolean;
  /** Where read markers live (DESIGN §8): the runtime builds the backend `state.kind` names;
   * in memory when absent (tests). */
  readMarkers?: ReadMarkerStore;
  /** Where writes keep their Idempotency-Key answers and announce themselves (DESIGN §13):
   * the same backend as `readMarkers`; in memory when absent (tests). */
  writeStore?: WriteStore;
  /** The process's live streams (DESIGN §9); a runtime that must end them on shutdown builds
   * them (createLiveStreams) and passes them in. */
  live?: LiveStreams;
  /** Node: watches a directory for the live feeds of the local sources (fs.watch). */
  watchDir?: WatchDir;
  /** Node: how to cut a request's connection (a live stream whose client stopped reading). */
  cutConnection?: (c: Context<AppEnv>) => (() => void) | undefined;
  /** Node: live streams written straight to their connections (see DirectStreams). */
  directStreams?: DirectStreams;
  /** Workers: a stream of a known identity is served by that identity's Durable Object. */
  forwardStream?: (identity: string, request: Request, requestId: string) => Promise<Response>;
  /** The runtime's synchronous SHA-256 as lower-case hex (Node: node:crypto's, several times
   * faster); the pure-JS one from @noble/hashes where absent. It hashes each caller's session on
   * every request, and each list view for its ETag. */
  sha256Hex?: (text: string) => string;
  /** Where the gateway's metrics go (DESIGN §11): prom-client on Node, which also serves
   * GET /metrics; nowhere when absent. Traces need no dependency: they go through the
   * OpenTelemetry API, to whatever SDK the runtime registered. */
  metrics?: GatewayMetrics;
  /** How the runtime reaches the backend of `proxy` (DESIGN §12); WHATWG fetch over `fetch`,
   * without WebSocket upgrades, where absent. */
  backend?: ProxyBackend;
}

/** The runtime's side of the pass-through (DESIGN §12). */
export interface ProxyBackend {
  send: BackendSend;
  /** Proxies an upgrade the door let through; upgrades are refused without it. */
  upgradeWebSocket?: (c: Context<AppEnv>, upgrade: WebSocketUpgrade) => Promise<Response>;
  /** The socket's own address (X-Forwarded-For's last hop). */
  peerAddress?: (c: Context<AppEnv>) => string | undefined;
  /** Proxied WebSockets open now, for the metrics. */
  openSockets?: () => number;
}

/** Builds the whole gateway from its dependencies; nothing here knows the runtime. */
export function createApp(deps: AppDeps) {
  return createGateway(deps).app;
}

/**
 * The gateway as an app, and its direct path for the list (list-fast-path.ts): a runtime that
 * can answer a request before the framework sees it offers each request to `listFastPath` first
 * and hands the app only what that declines.
 */
export function createGateway(deps: AppDeps) {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const hash = deps.sha256Hex ?? sha256Hex;
  const client = createUpstreamClient({
    fetch: deps.fetch,
    maxBodyBytes: config.upstream.maxBodyBytes,
    maxJsonDepth: config.upstream.maxJsonDepth,
  });
  const sources = createSources(config.sources, {
    client,
    clock,
    logger,
    unauthorizedTtlMs: config.cache.unauthorizedTtlMs,
    cachedForMs: config.cache.ttlMs + config.cache.staleIfErrorMs,
    ...(deps.local === undefined ? {} : { local: deps.local }),
  });
  const cache = createSourceCache<SourceLoad>({
    ...config.cache,
    clock,
    // cache.maxBytes bounds what is held for callers in all: three quarters for source results,
    // a quarter for the response memo (below).
    maxBytes: Math.max(1024, Math.floor((config.cache.maxBytes * 3) / 4)),
    sizeOf: estimatedLoadBytes,
  });
  const collector = createCollector({
    sources,
    cache,
    clock,
    logger,
    deadlineMs: config.deadlineMs,
    unauthorizedTtlMs: config.cache.unauthorizedTtlMs,
    breaker: config.breaker,
    metrics,
    sha256Hex: hash,
  });

  const readMarkers =
    deps.readMarkers ??
    createMemoryReadMarkerStore({
      onListenerError: (error) =>
        logger.error({ event: "read_marker_listener_failed", error: String(error) }),
    });
  const readState = createReadState({ store: readMarkers, clock, logger, metrics });
  const live =
    deps.live ??
    createLiveStreams({ ...config.live, clock, logger, timers: { setTimeout, clearTimeout } });
  // A marker set anywhere (this process, another instance, the identity's object) reaches the
  // streams of that identity.
  readMarkers.subscribe((change) => live.markersChanged(change.identity));
  // Writes (DESIGN §13): applied here, announced to the other gateways of the identity, and
  // what they announce applied here as their own.
  const writeStore = deps.writeStore ?? createMemoryWriteStore();
  const writeEffects = createWriteEffects({ sources, live, store: writeStore, logger });
  writeStore.subscribe((announcement) => writeEffects.heard(announcement));
  const writePipeline = createWritePipeline({ store: writeStore, logger, metrics });
  metrics.readGauges({
    circuits: collector.circuits,
    streams: () => ({ open: live.size(), feeds: live.feeds() }),
    proxied: () => ({
      streams: passThrough?.openStreams() ?? 0,
      sockets: deps.backend?.openSockets?.() ?? 0,
    }),
    portalBudgets: () =>
      sources.flatMap((source) =>
        source.budgetLeft === undefined ? [] : [{ source: source.name, left: source.budgetLeft() }],
      ),
  });

  const passThrough =
    config.proxy === undefined
      ? undefined
      : createPassThrough({
          ...config.proxy,
          send: deps.backend?.send ?? fetchBackend(deps.fetch),
          ...(config.proxy.websocket && deps.backend?.upgradeWebSocket !== undefined
            ? { upgradeWebSocket: deps.backend.upgradeWebSocket }
            : {}),
          ...(deps.backend?.peerAddress === undefined
            ? {}
            : { peerAddress: deps.backend.peerAddress }),
          ...(deps.cutConnection === undefined ? {} : { cutConnection: deps.cutConnection }),
          dropAuthorization: config.http.accessToken !== undefined,
          corsOrigins: config.http.corsOrigins,
          clientAddress: deps.clientAddress ?? (() => undefined),
          logger,
        });
  const callers = createCallers(hash);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const clientAddress = deps.clientAddress ?? (() => undefined);
  const { http } = config;
  // The request id, and on the way out the security headers and X-Request-Id on every response.
  app.use(requestFrame(deps.rawHeadersOf ?? (() => undefined)));
  app.use(observeRequest(metrics));
  app.use(requestLog({ logger, clock, clientAddress }));
  const loopbackListener = deps.loopbackListener ?? false;
  const checkHost =
    loopbackListener || http.allowedHosts.length > 0
      ? hostCheck({ loopbackListener, allowedHosts: http.allowedHosts })
      : undefined;
  if (checkHost !== undefined) app.use(hostGuard(checkHost));
  // The door's rules hold for /api/* and, with a backend fronted, for whatever goes to it
  // (DESIGN §12): the same token, CORS origins and rate limits.
  const proxied = (path: string) => passThrough !== undefined && !isGatewayPath(path);
  const behindDoor = (path: string) => path.startsWith("/api/") || proxied(path);
  if (http.corsOrigins.length > 0) {
    const gatewayCors = cors({
      origin: http.corsOrigins,
      allowMethods: ["GET", "POST", "OPTIONS"],
      allowHeaders: [
        "Content-Type",
        "Authorization",
        "Last-Event-ID",
        "If-None-Match",
        "Idempotency-Key",
      ],
      credentials: true,
      exposeHeaders: [
        "ETag",
        "X-Chat-List-Complete",
        "Server-Timing",
        "X-Request-Id",
        "Retry-After",
        "Idempotent-Replayed",
      ],
      maxAge: 600,
    });
    // The backend's own API: any method, and the request headers a preflight asks for.
    const backendCors = cors({
      origin: http.corsOrigins,
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      credentials: true,
      exposeHeaders: ["X-Request-Id", "Retry-After"],
      maxAge: 600,
    });
    // Viben's desktop probes /health from its webview to find its gateway.
    const probed = (path: string) => path === "/health" || path === "/healthz";
    app.use(async function corsForDoor(c, next) {
      const { path } = c.req;
      if (proxied(path)) return backendCors(c, next);
      if (path.startsWith("/api/") || probed(path)) return gatewayCors(c, next);
      return next();
    });
  }
  app.use(urlLimit(http.maxUrlBytes));
  const checkToken = http.accessToken === undefined ? undefined : tokenCheck(http.accessToken);
  if (checkToken !== undefined) {
    const requireToken = accessToken(checkToken);
    app.use(async function tokenForDoor(c, next) {
      const { path } = c.req;
      return behindDoor(path) || path === "/metrics" ? requireToken(c, next) : next();
    });
  }
  app.use(
    originGuard({
      corsOrigins: http.corsOrigins,
      trustOwnOrigin: checkHost !== undefined,
      // A stream takes a slot (its caller's, its address's, the process's): a foreign page
      // re-opening EventSources must not hold them (DESIGN §9's bounds).
      guardsRead: (path) => path === streamRoute.path,
    }),
  );
  app.use("/api/*", strictQueryEncoding());
  const limiter = createRateLimiter({ ...config.rateLimit, clock });
  const limitRate = rateLimit(limiter, clientAddress, callers);
  app.use(async function rateLimitForDoor(c, next) {
    return behindDoor(c.req.path) ? limitRate(c, next) : next();
  });
  if (deps.waitUntilFromExecutionCtx)
    app.use(async function deferToExecutionCtx(c, next) {
      const ctx = c.executionCtx;
      c.set("waitUntil", (work) => ctx.waitUntil(work));
      await next();
    });
  app.onError(errorHandler(logger));
  app.notFound(notFound);
  registerSecuritySchemes(app);

  const cursorTtlMs = 60 * 60 * 1000;
  const cursors = createCursorCodec({
    ...(config.http.cursorSecret === undefined ? {} : { secret: config.http.cursorSecret }),
    ttlMs: cursorTtlMs,
    now: () => clock.now(),
  });
  const views = createListViews({
    cursors,
    logger,
    cursorTtlMs,
    sha256Hex: hash,
    maxBytes: Math.max(1024, Math.floor(config.cache.maxBytes / 4)),
    maxEntries: config.cache.maxEntries,
  });
  const answerList = createListAnswers({ collector, clock, cursors, views, readState });
  const groupChats = createGroupChatHandlers({
    sources,
    collector,
    readState,
    callers,
    pipeline: writePipeline,
    effects: writeEffects,
    sha256Hex: hash,
    logger,
    clock,
  });
  // Chained, so the app's type carries every route for hono/client (see AppType).
  const routes = app
    .openapi(chatListRoute, createChatListHandler(answerList, callers))
    .openapi(
      readRoute,
      createReadHandler({
        collector,
        readState,
        clock,
        callers,
        chatSources: new Set(
          sources.filter((source) => source.itemType === "group_chat").map(({ name }) => name),
        ),
      }),
    )
    // The hook answers a 422 problem, which both routes declare (the hook's type is generic).
    .openapi(createGroupChatRoute, groupChats.createChat, writeValidationHook as never)
    .openapi(sendMessageRoute, groupChats.sendMessage, writeValidationHook as never)
    .openapi(
      streamRoute,
      createStreamHandler({
        collector,
        readState,
        streams: live,
        callers,
        clientAddress,
        refreshMs: config.live.refreshMs ?? Math.max(100, config.cache.ttlMs),
        minIntervalMs: config.live.minIntervalMs,
        localSources: sources.filter((source) => source.watchDirs !== undefined),
        ...(deps.cutConnection === undefined ? {} : { cutConnection: deps.cutConnection }),
        // With CORS the CORS middleware has set headers on a response of its own before the
        // handler runs, so a stream is answered as a Response, which carries them.
        ...(deps.directStreams === undefined || http.corsOrigins.length > 0
          ? {}
          : { directStreams: deps.directStreams }),
        ...(deps.forwardStream === undefined
          ? {}
          : {
              forward: {
                identifiers: sources.filter((source) => source.identify !== undefined),
                to: deps.forwardStream,
              },
            }),
        ...(deps.local === undefined
          ? {}
          : { invalidate: (path: string) => deps.local?.invalidate(path) }),
        ...(deps.watchDir === undefined
          ? {}
          : {
              watchers: createDiskWatchers({
                watch: deps.watchDir,
                maxDirs: 4096,
                maxDirsPerFeed: 512,
                debounceMs: 150,
                maxWaitMs: 500,
                logger,
                ...(deps.local === undefined
                  ? {}
                  : { onEvent: (path: string) => deps.local?.invalidate(path) }),
                timers: { setTimeout, clearTimeout },
              }),
            }),
      }),
    )
    .openapi(healthzRoute, (c) => c.json(health(clock), 200))
    .openapi(healthRoute, (c) => c.json(health(clock), 200))
    .openapi(readyzRoute, async (c) => {
      const error = await readMarkers.check().then(
        () => null,
        (failure: unknown) =>
          failure instanceof StoreUnavailableError ? failure.reason : "the store check failed",
      );
      const reachable = error === null;
      const body = {
        status: reachable ? ("ready" as const) : ("unready" as const),
        sources: sources.map(({ name, kind }) => ({ name, kind })),
        state: { kind: readMarkers.kind, durable: readMarkers.durable, reachable, error },
      };
      return reachable ? c.json(body, 200) : c.json(body, 503);
    });
  // Not a route's body (SSE events are text), but what a stream's patch events carry.
  app.openAPIRegistry.register("LivePatch", LivePatchSchema);
  app.doc31("/openapi.json", OPENAPI_CONFIG);
  registerDocs(app, deps.docsAssets);
  registerMetrics(app, metrics);
  // Last: what no route of the gateway answered goes to the backend.
  if (passThrough !== undefined) app.all(PASS_THROUGH_PATH, passThrough.handler);
  const listFastPath = createListFastPath({
    answer: answerList,
    callers,
    limiter,
    clock,
    logger,
    metrics,
    maxUrlBytes: http.maxUrlBytes,
    corsOrigins: http.corsOrigins,
    ...(checkHost === undefined ? {} : { checkHost }),
    ...(checkToken === undefined ? {} : { checkToken }),
  });
  return { app: routes, listFastPath, passThrough };
}

/** The gateway's routes as a type, for a typed client: `hc<AppType>(baseUrl)` from hono/client. */
export type AppType = ReturnType<typeof createApp>;

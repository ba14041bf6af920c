import type { Context } from "hono";
import { ConfigError, parseConfigJson } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { createJsonLogger, type Logger } from "../../core/logger.js";
import { createGateway } from "../../http/app.js";
import type { App } from "../../http/app-env.js";
import type { ListFastPath } from "../../http/chat-list/list-fast-path.js";
import { PROBLEM_CONTENT_TYPE, problem } from "../../http/problem.js";
import { createLiveStreams } from "../../live/streams.js";
import { fetchBackend } from "../../proxy/backend.js";
import { createMemoryReadMarkerStore } from "../../state/memory-store.js";
import { createMemoryWriteStore } from "../../state/memory-write-store.js";
import type { ReadMarkerStore } from "../../state/read-marker-store.js";
import type { WriteStore } from "../../state/write-store.js";
import type { FetchLike } from "../../upstream/http-client.js";
import { createDurableObjectStore } from "./durable-object-store.js";
import { createDurableObjectWriteStore } from "./durable-object-write-store.js";
import type { ReadStateObject } from "./read-state-object.js";
import { workerWebSocketUpgrade } from "./websocket-proxy.js";

export type Gateway =
  | { app: App; listFastPath: ListFastPath; error?: undefined; shutdown(): void }
  | { app?: undefined; listFastPath?: undefined; error: ConfigError; shutdown?: undefined };

/** The header that hands a stream's object the config the Worker runs, so both serve the same
 * sources (set by the Worker; a client cannot reach an object directly). URI-encoded: a config
 * is JSON over several lines, and a header value may hold no line break. */
export const CONFIG_HEADER = "x-chat-list-config";

export interface WorkerGatewayOptions {
  /** The upstream fetch; the runtime's global fetch unless a test injects one. */
  fetch?: FetchLike;
  logger?: Logger;
  /** The READ_STATE binding: read markers in one Durable Object per identity, and the
   * identity's streams held there. */
  readState?: DurableObjectNamespace<ReadStateObject>;
  /** Inside an identity's object: its own stores, and no execution context to defer work to. */
  inObject?: { readMarkers: ReadMarkerStore; writeStore: WriteStore };
}

// Workers Logs collects console output; one JSON object per line, as on Node.
const defaultLogger = createJsonLogger((line) => console.log(line));
let configParses = 0;

/** The read-marker store: the identity's Durable Object, unless the config asks for memory or
 * the binding is missing (then markers last as long as the isolate, which /readyz shows). */
function workerReadMarkers(
  config: Config,
  options: WorkerGatewayOptions,
  logger: Logger,
): ReadMarkerStore {
  if (options.inObject !== undefined) return options.inObject.readMarkers;
  const onListenerError = (error: unknown) =>
    logger.error({ event: "read_marker_listener_failed", error: String(error) });
  if (config.state?.kind !== "memory" && options.readState !== undefined)
    return createDurableObjectStore(options.readState, { onListenerError });
  if (config.state?.kind !== "memory")
    logger.warn({ event: "read_state_binding_missing", using: "memory" });
  return createMemoryReadMarkerStore({ onListenerError });
}

/** Where writes keep their Idempotency-Key answers and are announced (DESIGN §13): the same
 * choice as the read markers' (the identity's object, else memory). */
function workerWriteStore(config: Config, options: WorkerGatewayOptions): WriteStore {
  if (options.inObject !== undefined) return options.inObject.writeStore;
  if (config.state?.kind !== "memory" && options.readState !== undefined)
    return createDurableObjectWriteStore(options.readState);
  return createMemoryWriteStore();
}

/** Builds the gateway for one config text; a bad config yields the error instead. */
export function createWorkerGateway(
  configText: string | undefined,
  options: WorkerGatewayOptions = {},
): Gateway {
  configParses++;
  const logger = options.logger ?? defaultLogger;
  try {
    const config = parseConfigJson(configText ?? "{}", "CHAT_LIST_CONFIG_JSON", "worker");
    const fetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    const clientAddress = (c: Context) => c.req.header("cf-connecting-ip");
    const { readState, inObject } = options;
    const streamsHere = inObject !== undefined || readState === undefined;
    const live = createLiveStreams({
      ...config.live,
      clock: { now: () => Date.now() },
      logger,
      timers: { setTimeout, clearTimeout },
    });
    const send = fetchBackend(fetch);
    const { app, listFastPath } = createGateway({
      config,
      fetch,
      // DESIGN §12: the backend through the Worker's fetch, which also proxies WebSockets.
      backend: { send, upgradeWebSocket: workerWebSocketUpgrade(send) },
      logger,
      clientAddress,
      // An object lives on after its response; a Worker invocation must be told to.
      waitUntilFromExecutionCtx: inObject === undefined,
      readMarkers: workerReadMarkers(config, options, logger),
      writeStore: workerWriteStore(config, options),
      live,
      ...(streamsHere
        ? {}
        : {
            forwardStream: async (identity, request, requestId) => {
              const headers = new Headers(request.headers);
              headers.set(CONFIG_HEADER, encodeURIComponent(configText ?? "{}"));
              headers.set("x-request-id", requestId);
              const stub = readState.get(readState.idFromName(identity));
              const answer = await stub.fetch(new Request(request, { headers }));
              // A fetched response's headers are immutable; this isolate's middleware adds its
              // own (security headers, request id), so the answer is rewrapped.
              return new Response(answer.body, answer);
            },
          }),
    });
    return { shutdown: () => live.shutdown(), app, listFastPath };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error({ event: "config_invalid", problems: error.problems });
    return { error };
  }
}

/** How many times this isolate has parsed its config (once, unless the binding changes). */
export function workerConfigParses(): number {
  return configParses;
}

export function configProblem(error: ConfigError): Response {
  const body = problem("config_invalid", `CHAT_LIST_CONFIG_JSON: ${error.problems.join("; ")}`, {
    invalid_fields: error.problems,
  });
  return new Response(JSON.stringify(body), {
    status: 500,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" },
  });
}

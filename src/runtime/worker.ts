import type { Context, ExecutionContext } from "hono";
import { ConfigError, parseConfigJson } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { createJsonLogger, type Logger } from "../core/logger.js";
import { createApp } from "../http/app.js";
import type { App } from "../http/app-env.js";
import { PROBLEM_CONTENT_TYPE, problem } from "../http/problem.js";
import { createMemoryReadMarkerStore } from "../state/memory-store.js";
import type { ReadMarkerStore } from "../state/read-marker-store.js";
import type { FetchLike } from "../upstream/http-client.js";
import { createDurableObjectStore } from "./worker/durable-object-store.js";
import type { ReadStateObject } from "./worker/read-state-object.js";

// The Durable Object class must be exported by the entry module that wrangler.toml names.
export { ReadStateObject } from "./worker/read-state-object.js";

/** The Worker's bindings: the config, as a `[vars]` entry or a secret, and the read-marker
 * Durable Objects (`READ_STATE` in wrangler.toml). */
export interface WorkerBindings {
  CHAT_LIST_CONFIG_JSON?: string;
  READ_STATE?: DurableObjectNamespace<ReadStateObject>;
}

type Gateway = { app: App; error?: undefined } | { app?: undefined; error: ConfigError };

export interface WorkerGatewayOptions {
  /** The upstream fetch; the runtime's global fetch unless a test injects one. */
  fetch?: FetchLike;
  logger?: Logger;
  /** The READ_STATE binding: read markers in one Durable Object per identity. */
  readState?: DurableObjectNamespace<ReadStateObject>;
}

/** The read-marker store: the identity's Durable Object, unless the config asks for memory or
 * the binding is missing (then markers last as long as the isolate, which /readyz shows). */
function workerReadMarkers(
  config: Config,
  options: WorkerGatewayOptions,
  logger: Logger,
): ReadMarkerStore {
  const onListenerError = (error: unknown) =>
    logger.error({ event: "read_marker_listener_failed", error: String(error) });
  if (config.state?.kind !== "memory" && options.readState !== undefined)
    return createDurableObjectStore(options.readState, { onListenerError });
  if (config.state?.kind !== "memory")
    logger.warn({ event: "read_state_binding_missing", using: "memory" });
  return createMemoryReadMarkerStore({ onListenerError });
}

// Workers Logs collects console output; one JSON object per line, as on Node.
const defaultLogger = createJsonLogger((line) => console.log(line));
let configParses = 0;

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
    const readMarkers = workerReadMarkers(config, options, logger);
    return {
      app: createApp({
        config,
        fetch,
        logger,
        clientAddress,
        waitUntilFromExecutionCtx: true,
        readMarkers,
      }),
    };
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

function configProblem(error: ConfigError): Response {
  const body = problem("config_invalid", `CHAT_LIST_CONFIG_JSON: ${error.problems.join("; ")}`, {
    invalid_fields: error.problems,
  });
  return new Response(JSON.stringify(body), {
    status: 500,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" },
  });
}

// One gateway per isolate: config parsed once, the per-source cache kept across requests.
let current: { configText: string | undefined; gateway: Gateway } | undefined;

export default {
  fetch(
    request: Request,
    env: WorkerBindings,
    ctx: ExecutionContext,
  ): Response | Promise<Response> {
    if (current === undefined || current.configText !== env.CHAT_LIST_CONFIG_JSON) {
      current = {
        configText: env.CHAT_LIST_CONFIG_JSON,
        gateway: createWorkerGateway(
          env.CHAT_LIST_CONFIG_JSON,
          env.READ_STATE === undefined ? {} : { readState: env.READ_STATE },
        ),
      };
    }
    const { gateway } = current;
    if (gateway.error !== undefined) return configProblem(gateway.error);
    return gateway.app.fetch(request, env, ctx);
  },
};

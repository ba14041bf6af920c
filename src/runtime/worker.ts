import type { ExecutionContext } from "hono";
import {
  configProblem,
  createWorkerGateway,
  type Gateway,
  workerConfigParses,
} from "./worker/gateway.js";
import type { ReadStateObject } from "./worker/read-state-object.js";

// The Durable Object class must be exported by the entry module that wrangler.toml names.
export { ReadStateObject } from "./worker/read-state-object.js";
export { createWorkerGateway, workerConfigParses };

/** The Worker's bindings: the config, as a `[vars]` entry or a secret, and the read-marker
 * Durable Objects (`READ_STATE` in wrangler.toml). */
export interface WorkerBindings {
  CHAT_LIST_CONFIG_JSON?: string;
  READ_STATE?: DurableObjectNamespace<ReadStateObject>;
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

import type { ExecutionContext } from "hono";
import type { App } from "../http/app-env.js";
import type { ListFastPath } from "../http/chat-list/list-fast-path.js";
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
    return answerWith(gateway.app, gateway.listFastPath, request, env, ctx);
  },
};

/** One request to a built gateway: the list to its direct path first (no Hono context or
 * middleware chain for it), anything else, or a list request it declines, to the app. */
export function answerWith(
  app: App,
  listFastPath: ListFastPath,
  request: Request,
  env: WorkerBindings,
  ctx: ExecutionContext,
): Response | Promise<Response> {
  const listed = listFastPath({
    method: request.method,
    target: targetOf(request.url),
    header: (name) => request.headers.get(name) ?? undefined,
    clientAddress: () => request.headers.get("cf-connecting-ip") ?? undefined,
    waitUntil: (work) => ctx.waitUntil(work),
  });
  if (listed === null) return app.fetch(request, env, ctx);
  return listed.then(({ status, headers, body }) => new Response(body, { status, headers }));
}

/** The path and query of an absolute URL. */
function targetOf(url: string): string {
  const path = url.indexOf("/", url.indexOf("//") + 2);
  return path === -1 ? "/" : url.slice(path);
}

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { silentLogger } from "../../src/core/logger.js";
import { answerWith, createWorkerGateway } from "../../src/runtime/worker.js";
import { chatListContract } from "../contract/chat-list.contract.js";
import { createInMemoryUpstreams } from "../contract/in-memory-upstream.js";

// The contract inside workerd, against the Worker gateway; upstreams answer behind its fetch,
// since a Worker cannot listen on a socket.
const upstreams = createInMemoryUpstreams();

// Twice: through the Hono app alone, and as the Worker's fetch answers (the list's direct path
// first), so both ways of answering a list keep the same contract.
for (const via of ["app", "entry"] as const)
  chatListContract({
    runtime: via === "app" ? "workerd" : "workerd, direct path",
    upstream: async (routes) => upstreams.add(routes),
    async gateway(config) {
      const gateway = createWorkerGateway(JSON.stringify(config), {
        fetch: upstreams.fetch,
        logger: silentLogger,
      });
      if (gateway.error !== undefined) throw gateway.error;
      const { app, listFastPath } = gateway;
      return {
        async get(path, init = {}) {
          const headers = new Headers(init.headers);
          if (init.psession !== undefined) headers.set("cookie", `psession=${init.psession}`);
          const ctx = createExecutionContext();
          const request = new Request(`http://gateway.test${path}`, { headers });
          const response = await (via === "app"
            ? app.fetch(request, {}, ctx)
            : answerWith(app, listFastPath, request, {}, ctx));
          await waitOnExecutionContext(ctx);
          return response;
        },
      };
    },
  });

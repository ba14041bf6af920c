import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { silentLogger } from "../../src/core/logger.js";
import { createWorkerGateway } from "../../src/runtime/worker.js";
import { chatListContract } from "../contract/chat-list.contract.js";
import { createInMemoryUpstreams } from "../contract/in-memory-upstream.js";

// The contract inside workerd, against the Worker gateway; upstreams answer behind its fetch,
// since a Worker cannot listen on a socket.
const upstreams = createInMemoryUpstreams();

chatListContract({
  runtime: "workerd",
  upstream: async (routes) => upstreams.add(routes),
  async gateway(config) {
    const gateway = createWorkerGateway(JSON.stringify(config), {
      fetch: upstreams.fetch,
      logger: silentLogger,
    });
    if (gateway.error !== undefined) throw gateway.error;
    const { app } = gateway;
    return {
      async get(path, init = {}) {
        const headers = new Headers(init.headers);
        if (init.psession !== undefined) headers.set("cookie", `psession=${init.psession}`);
        const ctx = createExecutionContext();
        const response = await app.fetch(
          new Request(`http://gateway.test${path}`, { headers }),
          {},
          ctx,
        );
        await waitOnExecutionContext(ctx);
        return response;
      },
    };
  },
});

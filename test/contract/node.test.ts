import { useResources } from "../support/resources.js";
import { chatListContract } from "./chat-list.contract.js";

// The contract against the Node gateway: real loopback upstreams, undici, @hono/node-server.
// Twice: as the Node entry serves the list (its direct path, list-lane.ts), and through the Hono
// app alone, so both ways of answering a list keep the same contract.
const resources = useResources();
chatListContract({ runtime: "node", ...resources });
chatListContract({
  runtime: "node, Hono app only",
  upstream: resources.upstream,
  gateway: (config) => resources.gateway(config, { framework: true }),
});

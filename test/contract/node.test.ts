import { useResources } from "../support/resources.js";
import { chatListContract } from "./chat-list.contract.js";

// The contract against the Node gateway: real loopback upstreams, undici, @hono/node-server.
chatListContract({ runtime: "node", ...useResources() });

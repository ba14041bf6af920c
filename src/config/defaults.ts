/**
 * The embedded default for a Node gateway started without config: the machine it runs on
 * (installed executors and Viben agents) plus the public portal, which is only asked for callers
 * that send a psession cookie.
 */
export const DEFAULT_NODE_CONFIG = {
  sources: [
    { kind: "local_executors", name: "local-executors" },
    { kind: "local_agents", name: "local-agents" },
    { kind: "portal", name: "portal", baseUrl: "https://portal-api.7331.org" },
  ],
};

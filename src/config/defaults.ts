/**
 * The embedded default for a Node gateway started without config: the machine it runs on
 * (Viben group chats, installed executors and Viben agents) plus the public portal, which is only
 * asked for callers that send a psession cookie. The sources follow DESIGN §1's type order (group
 * chats, executors, agents), which is also the order `sources` reports them in.
 */
export const DEFAULT_NODE_CONFIG = {
  sources: [
    { kind: "local_group_chats", name: "local-group-chats" },
    { kind: "local_executors", name: "local-executors" },
    { kind: "local_agents", name: "local-agents" },
    { kind: "portal", name: "portal", baseUrl: "https://portal-api.7331.org" },
  ],
};

import type { FakeUpstream, Route } from "../support/fake-upstream.js";

/** A running gateway, however it runs. */
export interface GatewayHandle {
  get(
    path: string,
    init?: { psession?: string; headers?: Record<string, string> },
  ): Promise<Response>;
}

/**
 * What the contract suite needs from a runtime: fake upstreams with canned routes, and a gateway
 * configured with them. The Node harness serves upstreams on loopback and runs the Node gateway;
 * the workerd harness runs the Worker gateway inside workerd with upstreams behind its fetch.
 */
export interface ContractHarness {
  /** Named in the suite's title: where (and how) the gateway runs. */
  runtime: string;
  upstream(routes?: Record<string, Route>): Promise<FakeUpstream>;
  gateway(config: unknown): Promise<GatewayHandle>;
}

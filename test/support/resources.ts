import { afterEach } from "vitest";
import { type FakeUpstream, type Route, startFakeUpstream } from "./fake-upstream.js";
import { type GatewayOptions, startGateway, type TestGateway } from "./gateway.js";

/** Starts servers for one test and closes them all after it. Call at the top of a test file. */
export function useResources() {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((resource) => resource.close()));
  });
  return {
    async upstream(routes: Record<string, Route> = {}): Promise<FakeUpstream> {
      const server = await startFakeUpstream(routes);
      open.push(server);
      return server;
    },
    async gateway(config: unknown, options?: GatewayOptions): Promise<TestGateway> {
      const gateway = await startGateway(config, options);
      open.push(gateway);
      return gateway;
    },
  };
}

export { agentsReply, configFor, executorsReply } from "./fixtures.js";

import { createMemoryReadMarkerStore } from "../../src/state/memory-store.js";
import { describeStoreContract } from "../contract/store-contract-runner.js";

describeStoreContract({
  name: "memory",
  async create() {
    return {
      store: createMemoryReadMarkerStore(),
      // Memory keeps nothing across a restart: a new store is what a restarted process has.
      reopen: async () => createMemoryReadMarkerStore(),
    };
  },
});

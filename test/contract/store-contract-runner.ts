import { describe, it } from "vitest";
import type { ReadMarkerStore } from "../../src/state/read-marker-store.js";
import {
  readMarkerStoreContract,
  type StoreContractContext,
} from "../../src/state/store-contract.js";

export interface StoreContractBackend {
  name: string;
  /** A store at a new location (file, database rows, objects), and how to open that location
   * again as a restart would. */
  create(): Promise<{ store: ReadMarkerStore; reopen(): Promise<ReadMarkerStore> }>;
  /** See StoreContractContext.settle; at once by default. */
  settle?(store: ReadMarkerStore): Promise<void>;
  /** Why the backend cannot run here (the cases are then skipped with that reason), or
   * undefined. It throws instead when the backend is required. */
  unavailable?(): string | undefined;
}

const runId = Math.random().toString(36).slice(2, 10);
let identities = 0;

/** One vitest test per contract case, each on a fresh store that is closed afterwards. */
export function describeStoreContract(backend: StoreContractBackend): void {
  describe(`ReadMarkerStore contract: ${backend.name}`, () => {
    for (const contractCase of readMarkerStoreContract) {
      it(contractCase.name, async (t) => {
        const reason = backend.unavailable?.();
        if (reason !== undefined) t.skip(reason);
        const { store, reopen } = await backend.create();
        const opened = [store];
        const ctx: StoreContractContext = {
          identity: (label) => `${label}:${runId}:${++identities}`,
          async reopen(current) {
            await current.close();
            const next = await reopen();
            opened.push(next);
            return next;
          },
          settle: backend.settle ?? (() => new Promise((resolve) => setTimeout(resolve, 0))),
        };
        try {
          await contractCase.run(store, ctx);
        } finally {
          await Promise.all(opened.map((s) => s.close()));
        }
      });
    }
  });
}

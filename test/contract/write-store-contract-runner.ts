import { describe, it } from "vitest";
import type { WriteStore } from "../../src/state/write-store.js";
import {
  type WriteStoreContractContext,
  writeStoreContract,
} from "../../src/state/write-store-contract.js";

export interface WriteStoreContractBackend {
  name: string;
  /** A store at a new location reading time from `now`; how to open that location again (a
   * restart), and, where the backend announces writes, another instance on it. */
  create(now: () => number): Promise<{
    store: WriteStore;
    reopen(): Promise<WriteStore>;
    peer?(): Promise<WriteStore>;
  }>;
  /** See WriteStoreContractContext.settle; a macrotask by default. */
  settle?(store: WriteStore): Promise<void>;
  /** Why the backend cannot run here (the cases are then skipped), or undefined. */
  unavailable?(): string | undefined;
}

const runId = Math.random().toString(36).slice(2, 10);
let identities = 0;

/** One vitest test per contract case, each on a fresh store, with a clock of its own. */
export function describeWriteStoreContract(backend: WriteStoreContractBackend): void {
  describe(`WriteStore contract: ${backend.name}`, () => {
    for (const contractCase of writeStoreContract) {
      it(contractCase.name, async (t) => {
        const reason = backend.unavailable?.();
        if (reason !== undefined) t.skip(reason);
        let time = Date.UTC(2026, 10, 22);
        const { store, reopen, peer } = await backend.create(() => time);
        const opened = [store];
        const ctx: WriteStoreContractContext = {
          identity: (label) => `${label}:${runId}:${++identities}`,
          advance(ms) {
            time += ms;
          },
          async reopen(current) {
            await current.close();
            const next = await reopen();
            opened.push(next);
            return next;
          },
          ...(peer === undefined ? {} : { peer }),
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

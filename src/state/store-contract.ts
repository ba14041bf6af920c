/**
 * The ReadMarkerStore contract (DESIGN §8: "one contract suite runs against every backend"), as
 * data: each case takes a store and a small context. Test files run these cases against memory,
 * sqlite and postgres on Node and the Durable Object inside workerd; what needs two processes or
 * a server that goes down stays in those backends' own tests.
 */

import type { ReadMarkerStore } from "./read-marker-store.js";
import { inputCases } from "./store-contract-input.js";
import { liveCases } from "./store-contract-live.js";
import { writeCases } from "./store-contract-writes.js";

export interface StoreContractContext {
  /** An identity no other case (and no other run sharing the backend) uses. */
  identity(label: string): string;
  /** Closes `store` and opens its backend location again: a restart (a new file handle, a new
   * connection, an evicted object; for memory, a new empty store). */
  reopen(store: ReadMarkerStore): Promise<ReadMarkerStore>;
  /** Resolves once every change announced before the call has reached `store`'s subscribers
   * (postgres: a NOTIFY round trip through another connection; elsewhere at once). */
  settle(store: ReadMarkerStore): Promise<void>;
}

export interface StoreContractCase {
  name: string;
  run(store: ReadMarkerStore, ctx: StoreContractContext): Promise<void>;
}

export const readMarkerStoreContract: readonly StoreContractCase[] = [
  ...writeCases,
  ...inputCases,
  ...liveCases,
];

import { createChangeHub } from "../../state/change-hub.js";
import { checkEntries, checkIdentity, checkItemIds } from "../../state/marker-input.js";
import type { MarkerEntry, Position, ReadMarkerStore } from "../../state/read-marker-store.js";
import { objectCalls } from "./object-calls.js";
import type { ReadStateObject } from "./read-state-object.js";

export interface DurableObjectStoreOptions {
  onListenerError?: (error: unknown) => void;
}

function toMap(entries: MarkerEntry[]): Map<string, Position> {
  return new Map(entries.map(({ itemId, position }) => [itemId, position]));
}

function asEntries(wanted: Map<string, Position>): MarkerEntry[] {
  return [...wanted].map(([itemId, position]) => ({ itemId, position }));
}

/**
 * The Workers backend: one SQLite-backed ReadStateObject per identity (binding READ_STATE).
 * Input is checked here, before any object is reached. subscribe hears this isolate's own
 * advances only; every isolate's reach the identity's streams, which its object holds.
 */
export function createDurableObjectStore(
  namespace: DurableObjectNamespace<ReadStateObject>,
  options: DurableObjectStoreOptions = {},
): ReadMarkerStore {
  const hub = createChangeHub(options.onListenerError);
  const { call, check, close } = objectCalls(namespace);

  return {
    kind: "durable_object",
    durable: true,
    async read(identity, itemIds) {
      const id = checkIdentity(identity);
      const ids = checkItemIds(itemIds);
      return toMap(await call<MarkerEntry[]>(id, (stub) => stub.read(ids)));
    },
    async advance(identity, entries) {
      const id = checkIdentity(identity);
      const wanted = asEntries(checkEntries(entries));
      const result = await call<{ markers: MarkerEntry[]; changed: string[] }>(id, (stub) =>
        stub.advance(wanted, id),
      );
      if (result.changed.length > 0) hub.emit({ identity: id, itemIds: result.changed });
      return { markers: toMap(result.markers), changed: result.changed };
    },
    async setIfAbsent(identity, entries) {
      const id = checkIdentity(identity);
      const wanted = asEntries(checkEntries(entries));
      return toMap(await call<MarkerEntry[]>(id, (stub) => stub.setIfAbsent(wanted)));
    },
    subscribe: (listener) => hub.subscribe(listener),
    check,
    close,
  };
}

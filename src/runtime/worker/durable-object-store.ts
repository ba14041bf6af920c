import { createChangeHub } from "../../state/change-hub.js";
import { checkEntries, checkIdentity, checkItemIds } from "../../state/marker-input.js";
import {
  InvalidMarkerInputError,
  type MarkerEntry,
  type Position,
  type ReadMarkerStore,
  StoreUnavailableError,
} from "../../state/read-marker-store.js";
import type { ReadStateObject, Refusable } from "./read-state-object.js";

export interface DurableObjectStoreOptions {
  onListenerError?: (error: unknown) => void;
}

/** The object check() calls: one fixed name (with a NUL, which no identity may contain), so
 * checks never touch, or create, an identity's object. */
const CHECK_OBJECT = "\u0000check";

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
  let closed = false;

  /** Calls the identity's object; its refusal of bad input becomes the error every backend
   * throws, and a failure to reach it StoreUnavailableError. */
  async function call<T>(
    name: string,
    work: (stub: DurableObjectStub<ReadStateObject>) => Promise<unknown>,
  ): Promise<T> {
    if (closed) throw new StoreUnavailableError("durable_object", "the store is closed");
    let answer: Refusable<T>;
    try {
      answer = (await work(namespace.get(namespace.idFromName(name)))) as Refusable<T>;
    } catch (error) {
      throw new StoreUnavailableError("durable_object", String(error), { cause: error });
    }
    if ("refused" in answer) throw new InvalidMarkerInputError(answer.refused);
    return answer.ok;
  }

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
    async check() {
      await call<boolean>(CHECK_OBJECT, (stub) => stub.ping());
    },
    async close() {
      closed = true;
    },
  };
}

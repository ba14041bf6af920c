import { createChangeHub } from "./change-hub.js";
import {
  type CheckedBatch,
  checkBatch,
  checkEntries,
  checkIdentity,
  checkItemIds,
} from "./marker-input.js";
import { comparePositions } from "./positions.js";
import {
  type AdvanceResult,
  type Position,
  type ReadMarkerStore,
  StoreUnavailableError,
} from "./read-marker-store.js";

export interface MemoryReadMarkerOptions {
  /** Called when a subscriber throws (the store carries on). */
  onListenerError?: (error: unknown) => void;
}

/**
 * Markers in this process's memory: for tests, and for a gateway that chooses to forget read
 * state on restart (`/readyz` says so through `durable: false`). Runtime-neutral.
 */
export function createMemoryReadMarkerStore(
  options: MemoryReadMarkerOptions = {},
): ReadMarkerStore {
  const markers = new Map<string, Map<string, Position>>();
  const hub = createChangeHub(options.onListenerError);
  let closed = false;

  function open(): void {
    if (closed) throw new StoreUnavailableError("memory", "the store is closed");
  }

  function markersOf(identity: string): Map<string, Position> {
    let mine = markers.get(identity);
    if (mine === undefined) {
      mine = new Map();
      markers.set(identity, mine);
    }
    return mine;
  }

  function pick(mine: Map<string, Position>, itemIds: Iterable<string>): Map<string, Position> {
    const found = new Map<string, Position>();
    for (const itemId of itemIds) {
      const position = mine.get(itemId);
      if (position !== undefined) found.set(itemId, { ...position });
    }
    return found;
  }

  /** Writes checked batches; nothing here can fail half-way (one synchronous pass). */
  function advanceChecked(batches: readonly CheckedBatch[]): AdvanceResult[] {
    open();
    const results = batches.map(({ identity, wanted }) => {
      const mine = markersOf(identity);
      const changed: string[] = [];
      for (const [itemId, position] of wanted) {
        const current = mine.get(itemId);
        if (current !== undefined && comparePositions(current, position) >= 0) continue;
        mine.set(itemId, position);
        changed.push(itemId);
      }
      return { markers: pick(mine, wanted.keys()), changed };
    });
    batches.forEach(({ identity }, index) => {
      const { changed } = results[index] as AdvanceResult;
      if (changed.length > 0) hub.emit({ identity, itemIds: changed });
    });
    return results;
  }

  return {
    kind: "memory",
    durable: false,
    async read(identity, itemIds) {
      const id = checkIdentity(identity);
      const ids = checkItemIds(itemIds);
      open();
      return pick(markers.get(id) ?? new Map(), ids);
    },
    async advance(identity, entries) {
      const [result] = advanceChecked([checkBatch({ identity, entries })]);
      return result as AdvanceResult;
    },
    async advanceAll(batches) {
      // Every batch is checked before any is written: all or nothing.
      return advanceChecked(batches.map(checkBatch));
    },
    async setIfAbsent(identity, entries) {
      const id = checkIdentity(identity);
      const wanted = checkEntries(entries);
      open();
      const mine = markersOf(id);
      for (const [itemId, position] of wanted) if (!mine.has(itemId)) mine.set(itemId, position);
      return pick(mine, wanted.keys());
    },
    subscribe: (listener) => hub.subscribe(listener),
    async check() {
      open();
    },
    async close() {
      closed = true;
    },
  };
}

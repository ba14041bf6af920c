// Placeholder memory store (the real backends arrive on the state branch).
import type { MarkerChange, Position, ReadMarkerStore } from "./read-marker-store.js";

const later = (a: Position, b: Position) => (a.ms - b.ms || a.seq - b.seq) >= 0;

export function createMemoryStore(): ReadMarkerStore {
  const rows = new Map<string, Map<string, Position>>();
  const listeners = new Set<(change: MarkerChange) => void>();
  const of = (identity: string) => {
    let map = rows.get(identity);
    if (map === undefined) {
      map = new Map();
      rows.set(identity, map);
    }
    return map;
  };
  return {
    kind: "memory",
    durable: false,
    async read(identity, itemIds) {
      const map = of(identity);
      return new Map(itemIds.flatMap((id) => (map.has(id) ? [[id, map.get(id) as Position]] : [])));
    },
    async advance(identity, entries) {
      const map = of(identity);
      const changed: string[] = [];
      for (const { itemId, position } of entries) {
        const old = map.get(itemId);
        if (old === undefined || !later(old, position)) {
          map.set(itemId, position);
          changed.push(itemId);
        }
      }
      if (changed.length > 0) for (const l of listeners) l({ identity, itemIds: changed });
      return {
        markers: new Map(entries.map(({ itemId }) => [itemId, map.get(itemId) as Position])),
        changed,
      };
    },
    async setIfAbsent(identity, entries) {
      const map = of(identity);
      for (const { itemId, position } of entries) if (!map.has(itemId)) map.set(itemId, position);
      return new Map(entries.map(({ itemId }) => [itemId, map.get(itemId) as Position]));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async check() {},
    async close() {},
  };
}

import type { MarkerChange } from "./read-marker-store.js";

export interface ChangeHub {
  subscribe(listener: (change: MarkerChange) => void): () => void;
  /** Calls every listener; one that throws is reported and does not stop the others, nor the
   * write that announced the change (it has already committed). */
  emit(change: MarkerChange): void;
  readonly size: number;
}

export function createChangeHub(onListenerError: (error: unknown) => void = () => {}): ChangeHub {
  const listeners = new Set<(change: MarkerChange) => void>();
  return {
    subscribe(listener) {
      // A wrapper per subscription, so subscribing one function twice yields two independent
      // subscriptions, and each unsubscribe removes only its own.
      const entry = (change: MarkerChange) => listener(change);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    emit(change) {
      for (const listener of [...listeners]) {
        try {
          listener({ identity: change.identity, itemIds: [...change.itemIds] });
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    get size() {
      return listeners.size;
    },
  };
}

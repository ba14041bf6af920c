// Placeholder of the store interface (the backends arrive on the state branch).
export interface Position {
  ms: number;
  seq: number;
}
export interface MarkerEntry {
  itemId: string;
  position: Position;
}
export interface MarkerChange {
  identity: string;
  itemIds: string[];
}
export interface ReadMarkerStore {
  readonly kind: "memory" | "sqlite" | "postgres" | "durable_object";
  readonly durable: boolean;
  read(identity: string, itemIds: readonly string[]): Promise<Map<string, Position>>;
  advance(
    identity: string,
    entries: readonly MarkerEntry[],
  ): Promise<{ markers: Map<string, Position>; changed: string[] }>;
  setIfAbsent(identity: string, entries: readonly MarkerEntry[]): Promise<Map<string, Position>>;
  subscribe(listener: (change: MarkerChange) => void): () => void;
  check(): Promise<void>;
  close(): Promise<void>;
}
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

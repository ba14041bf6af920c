// The item types as plain values, without zod: the list order (sort.ts) needs them, and it is
// bundled into browser clients (examples/stream-client.ts), where the schemas must not follow.

/** The three item types, in the order they break ties when sorting. */
export const ITEM_TYPES = ["group_chat", "executor", "agent"] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

import type { MarkerChange } from "../../state/read-marker-store.js";

/** How long an own change waits for its echo; an echo takes milliseconds. */
const ECHO_TTL_MS = 2_000;
const MAX_PENDING = 10_000;

const keyOf = (change: MarkerChange) =>
  JSON.stringify([change.identity, [...change.itemIds].sort()]);

/**
 * A store announces its own advances at once (with every item id it moved) and then hears them
 * again through LISTEN (perhaps as `itemIds: []`). This drops those echoes, so subscribers hear
 * each change once. The result and the echo travel on different connections, so the echo may
 * come first: notifications for an identity are held while an own advance for it is in flight,
 * then released once its own change is known. Matching is by content; if another instance made
 * the very same change meanwhile, subscribers still hear that change after both were made.
 * Memory is short: when in doubt a subscriber hears a change twice (a re-read), never not.
 */
export function createEchoFilter(emit: (change: MarkerChange) => void, now = Date.now) {
  const pending: Array<{ key: string; at: number }> = []; // own changes awaiting an echo
  const flights = new Map<string, { count: number; held: MarkerChange[] }>();

  function takePending(key: string): boolean {
    const at = now();
    while (pending.length > 0 && at - (pending[0]?.at ?? at) >= ECHO_TTL_MS) pending.shift();
    const index = pending.findIndex((own) => own.key === key);
    if (index === -1) return false;
    pending.splice(index, 1);
    return true;
  }

  function heard(change: MarkerChange): void {
    const flight = flights.get(change.identity);
    if (flight !== undefined) flight.held.push(change);
    else if (!takePending(keyOf(change))) emit(change);
  }

  return {
    /** A notification arrived through LISTEN. */
    heard,
    /** An own advance for `identity` starts; call the result when it has ended, with the change
     * it announced when its echo will come back (LISTEN was up before it started). */
    track(identity: string): (echoed?: MarkerChange) => void {
      const flight = flights.get(identity) ?? { count: 0, held: [] };
      flight.count++;
      flights.set(identity, flight);
      return (echoed) => {
        if (echoed !== undefined) {
          pending.push({ key: keyOf(echoed), at: now() });
          if (pending.length > MAX_PENDING) pending.shift();
        }
        if (--flight.count > 0) return;
        flights.delete(identity);
        for (const change of flight.held) heard(change);
      };
    },
  };
}

/** The change a NOTIFY payload names, or undefined when it is not a read-marker change. */
export function parseNotification(payload: string): MarkerChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { identity, itemIds } = value as Record<string, unknown>;
  if (typeof identity !== "string" || !Array.isArray(itemIds)) return undefined;
  if (!itemIds.every((id) => typeof id === "string")) return undefined;
  return { identity, itemIds: itemIds as string[] };
}

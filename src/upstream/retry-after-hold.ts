import type { Clock } from "../core/clock.js";
import type { UpstreamClient } from "./http-client.js";
import { UpstreamError } from "./upstream-error.js";

/**
 * One upstream's Retry-After, as every call to it sees it: once the upstream has answered 429 or
 * 503 with Retry-After, no call of the source goes out before that time — not later requests',
 * and not the calls already queued behind a concurrency cap when the answer came (a portal's
 * history look-ups, a registry's session look-ups). The list call, the history calls and the
 * who-am-I call of a portal share one hold: the portal counts them all against one client.
 */
export function createRetryAfterHold(clock: Clock) {
  let heldUntil = 0;

  const leftMs = () => Math.max(0, heldUntil - clock.now());

  /** Refuses a call while the hold lasts, without sending it. */
  function refusal(): UpstreamError | null {
    const left = leftMs();
    if (left === 0) return null;
    return new UpstreamError({
      kind: "held",
      message: `upstream asked to wait (Retry-After), ${Math.ceil(left / 1000)} s left`,
      retryAfterMs: left,
    });
  }

  return {
    /** Whether the upstream asked to wait and the wait is not over. */
    held: () => leftMs() > 0,
    leftMs,
    /** Holds every call for `ms` (the upstream's Retry-After). */
    holdFor(ms: number): void {
      heldUntil = Math.max(heldUntil, clock.now() + ms);
    },
    /** `client` with the hold applied to its reads: a held call throws (kind `held`) instead of
     * going out, and an answer carrying Retry-After holds every call after it. */
    wrap(client: UpstreamClient): UpstreamClient {
      return {
        async getJson(url, options) {
          const refused = refusal();
          if (refused !== null) throw refused;
          try {
            return await client.getJson(url, options);
          } catch (error) {
            if (error instanceof UpstreamError && error.retryAfterMs !== undefined)
              heldUntil = Math.max(heldUntil, clock.now() + error.retryAfterMs);
            throw error;
          }
        },
        // A write answers its refusals as values, and the portal's writer looks at the hold
        // itself (its own 429 problem); nothing to add here.
        postJson: (url, options) => client.postJson(url, options),
      };
    },
  };
}

export type RetryAfterHold = ReturnType<typeof createRetryAfterHold>;

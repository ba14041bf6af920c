import type { Clock } from "../core/clock.js";
import { UpstreamError } from "../upstream/upstream-error.js";

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit stays open before one probe is let through. */
  cooldownMs: number;
  clock: Clock;
}

/**
 * Guards one source's upstream: after `failureThreshold` consecutive failures no call goes out
 * for `cooldownMs`; then one probe is let through, which closes the circuit or opens it again.
 * A Retry-After from the upstream (429, 503) also holds calls back until it has passed. A refusal
 * of the caller's credentials (401, 403) is the caller's problem, not the upstream's: it neither
 * counts as a failure nor closes the circuit.
 */
export function createCircuitBreaker({ failureThreshold, cooldownMs, clock }: BreakerOptions) {
  let failures = 0;
  let openUntil = 0;
  let probing = false;
  let retryAfterUntil = 0;

  /** Null when a call may go out now; otherwise why not. Marks the call as the probe. */
  function refusal(): string | null {
    const now = clock.now();
    if (now < retryAfterUntil)
      return `upstream asked to wait (Retry-After), ${Math.ceil((retryAfterUntil - now) / 1000)} s left`;
    if (openUntil === 0) return null;
    if (now < openUntil)
      return `circuit open after ${failures} failures, ${Math.ceil((openUntil - now) / 1000)} s left`;
    if (probing) return "circuit open, a probe is in flight";
    probing = true;
    return null;
  }

  function succeeded(): void {
    failures = 0;
    openUntil = 0;
    probing = false;
  }

  function failed(error: unknown): void {
    if (error instanceof UpstreamError && error.unauthorized) {
      if (probing) succeeded();
      return;
    }
    const now = clock.now();
    // Not sent at all (the upstream's Retry-After, met by another call): no failure to count.
    if (error instanceof UpstreamError && error.kind === "held") {
      retryAfterUntil = Math.max(retryAfterUntil, now + (error.retryAfterMs ?? 0));
      probing = false;
      return;
    }
    if (error instanceof UpstreamError && error.retryAfterMs !== undefined)
      retryAfterUntil = Math.max(retryAfterUntil, now + error.retryAfterMs);
    failures++;
    if (probing || failures >= failureThreshold) openUntil = now + cooldownMs;
    probing = false;
  }

  /** Whether calls are held back now (the circuit is open, or Retry-After lasts), without
   * claiming the probe as refusal() does: for /metrics. */
  function isOpen(): boolean {
    const now = clock.now();
    return now < retryAfterUntil || now < openUntil;
  }

  return { refusal, succeeded, failed, isOpen };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;

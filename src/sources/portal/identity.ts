import { LRUCache } from "lru-cache";
import type { Logger } from "../../core/logger.js";
import { createDeadline } from "../../upstream/deadline.js";
import type { UpstreamCall, UpstreamClient } from "../../upstream/http-client.js";
import { UpstreamError } from "../../upstream/upstream-error.js";
import { tolerantObject, UpstreamId } from "../tolerant.js";
import type { PortalBudgets } from "./budgets.js";

const MeUpstream = tolerantObject({ id: UpstreamId });

/** Who a portal session belongs to, or why that is not known. */
export type IdentityResult =
  | { identity: string }
  /** `unauthorized`: the portal refused the session (401/403). */
  | { identity: null; reason: string; unauthorized?: true };

export interface IdentityOptions {
  source: string;
  baseUrl: string;
  client: Pick<UpstreamClient, "getJson">;
  budgets: PortalBudgets;
  logger: Logger;
  /** How long a session's identity is reused. */
  ttlMs: number;
  /** How long one who-am-I call may take (the source's timeout). */
  timeoutMs: number;
  /** How long a session the portal refused (401/403) is answered from memory, without a
   * call: a bad session cannot make the gateway spend the portal's allowance on it. */
  refusedTtlMs?: number;
}

/**
 * The caller's identity from `GET /v1/users/me` (DESIGN §8): `<source name>:<user id>`, so a
 * user's desktop and phone (two cookies) share read markers and two users never do. Cached per
 * credential hash, one call at a time per session, and spent from the portal's budgets like any
 * portal call. A refusal is remembered for `refusedTtlMs`; other failures are not cached: the
 * next request asks again.
 */
export function createIdentityResolver(options: IdentityOptions) {
  const known = new LRUCache<string, string>({ max: 50_000, ttl: Math.max(1, options.ttlMs) });
  const refusedTtlMs = options.refusedTtlMs ?? 0;
  const refused = new LRUCache<string, string>({ max: 10_000, ttl: Math.max(1, refusedTtlMs) });
  const inflight = new Map<string, Promise<IdentityResult>>();

  async function ask(
    cookie: string,
    callerKey: string,
    call: UpstreamCall,
  ): Promise<IdentityResult> {
    // Spent as the session's (whose identity this call is to learn), not yet as a user's.
    if (!options.budgets.take(callerKey))
      return { identity: null, reason: "not known yet (portal budget)" };
    options.budgets.served(callerKey);
    // The call is shared by every request of the session that asks meanwhile, so it runs on a
    // deadline of its own: one caller giving up (a stream's short wait) does not end it for all.
    // Disposed when the call ends: AbortSignal.timeout's timer (and the signal, which the fetch
    // listens to) would live on for the whole timeout, for every new session.
    const deadline = createDeadline(options.timeoutMs);
    const { signal } = deadline;
    try {
      const body = await options.client.getJson(`${options.baseUrl}/v1/users/me`, {
        headers: { cookie: `psession=${cookie}` },
        signal,
        ...(call.trace === undefined ? {} : { trace: call.trace }),
      });
      const parsed = MeUpstream.safeParse(body);
      if (!parsed.success) return { identity: null, reason: "the portal's /users/me has no id" };
      const identity = `${options.source}:${parsed.data.id}`;
      known.set(callerKey, identity);
      return { identity };
    } catch (error) {
      if (error instanceof UpstreamError && error.retryAfterMs !== undefined)
        options.budgets.holdFor(error.retryAfterMs);
      const reason = error instanceof Error ? error.message : "unknown";
      if (error instanceof UpstreamError && error.unauthorized && refusedTtlMs > 0) {
        const answer = `the portal refused the session (${reason})`;
        refused.set(callerKey, answer);
        return { identity: null, reason: answer, unauthorized: true };
      }
      if (!signal.aborted)
        options.logger.warn({ event: "portal_identity_failed", source: options.source, reason });
      return {
        identity: null,
        reason: `the portal did not say who the caller is (${reason})`,
        ...(error instanceof UpstreamError && error.unauthorized ? { unauthorized: true } : {}),
      };
    } finally {
      deadline.dispose();
    }
  }

  /** The identity of the session whose credential hash is `callerKey`; `call` is the asking
   * request's (a call shared by concurrent requests carries the first one's trace). */
  function resolve(cookie: string, callerKey: string, call: UpstreamCall) {
    const identity = known.get(callerKey);
    if (identity !== undefined) return Promise.resolve<IdentityResult>({ identity });
    const refusal = refusedTtlMs > 0 ? refused.get(callerKey) : undefined;
    if (refusal !== undefined)
      return Promise.resolve<IdentityResult>({
        identity: null,
        reason: refusal,
        unauthorized: true,
      });
    let running = inflight.get(callerKey);
    if (running === undefined) {
      running = ask(cookie, callerKey, call).finally(() => inflight.delete(callerKey));
      inflight.set(callerKey, running);
    }
    return running;
  }

  /** The session's identity if it is known now, without asking. */
  const peek = (callerKey: string): string | undefined => known.get(callerKey);

  return { resolve, peek };
}

import type { Logger } from "../core/logger.js";
import { ERROR_CODES, problem } from "../http/problem.js";
import type { WriteKind, WriteOutcome } from "../observability/labels.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { endSpan, startSpan, type TraceContext, UNTRACED } from "../observability/tracing.js";
import type { PortalRefusal } from "../sources/portal/portal-refusals.js";
import type { PortalWriteResult } from "../sources/portal/portal-writes.js";
import type { StoredAnswer, WriteStore } from "../state/write-store.js";
import { createDeadline } from "../upstream/deadline.js";
import { checkIdempotency } from "./idempotency.js";
import { refusalAnswer } from "./refusal-answers.js";

/** One write, validated (the first step: the route's schemas and the handler's look-ups). */
export interface WritePlan<T> {
  kind: WriteKind;
  /** The portal source written to (a span attribute: never anything the caller typed). */
  source: string;
  identity: string;
  idempotencyKey: string | undefined;
  /** What the request asks, hashed (see fingerprintOf). */
  fingerprint: string;
  requestId: string;
  /** The portal source's timeoutMs: how long the write waits for the portal. */
  timeoutMs: number;
  trace: TraceContext | undefined;
  /** The upstream call. */
  callUpstream(call: { signal: AbortSignal; trace?: TraceContext }): Promise<PortalWriteResult<T>>;
  /** Applies what the portal did to the lists and streams; the 201 body. */
  apply(value: T): Promise<Record<string, unknown>>;
}

/** A write's answer, ready to send. */
export interface WriteAnswer {
  status: number;
  /** The JSON body, as text: what a replay sends again byte for byte. */
  body: string;
  headers: Record<string, string>;
}

export interface WritePipelineDeps {
  store: WriteStore;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Seconds since some origin, for the write's duration. */
  now?: () => number;
}

// An unanswered claim holds its key this much longer than the portal may take, so a retry
// does not go out while the first is still under way; past it, a crashed holder's key is free.
const LEASE_MARGIN_MS = 30_000;

/**
 * A write as a pipeline with named steps (STYLE: validate → idempotency check → upstream call
 * → apply → answer; TanStack Query's onMutate/onSettled, Stripe's stored answers). Validation
 * happened before: the plan is valid. Everything after the upstream call is about answering:
 * nothing here throws a problem; each outcome is an answer, counted and traced.
 */
export function createWritePipeline(deps: WritePipelineDeps) {
  const { store, logger, metrics } = deps;
  const seconds = deps.now ?? (() => performance.now() / 1000);

  function problemAnswer(
    code: keyof typeof ERROR_CODES,
    detail: string,
    requestId: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): WriteAnswer {
    return {
      status: ERROR_CODES[code].status,
      body: JSON.stringify(problem(code, detail, { ...extra, request_id: requestId })),
      headers,
    };
  }

  async function run<T>(plan: WritePlan<T>): Promise<WriteAnswer> {
    const started = seconds();
    const span = startSpan(`write ${plan.kind}`, plan.trace ?? UNTRACED, {
      "chat_list.write.kind": plan.kind,
      "chat_list.source.name": plan.source,
      "chat_list.write.idempotency_key": plan.idempotencyKey !== undefined,
    });
    const finish = (outcome: WriteOutcome, answer: WriteAnswer): WriteAnswer => {
      metrics.writeFinished(plan.kind, outcome, seconds() - started);
      span?.span.setAttributes({
        "chat_list.write.outcome": outcome,
        "http.response.status_code": answer.status,
      });
      endSpan(
        span,
        answer.status >= 500 ? ERROR_CODES[outcome as keyof typeof ERROR_CODES]?.title : null,
      );
      return answer;
    };

    // Step: idempotency check.
    const checked = await checkIdempotency(
      { store, logger, leaseMs: plan.timeoutMs + LEASE_MARGIN_MS },
      plan.identity,
      plan.idempotencyKey,
      plan.fingerprint,
    );
    switch (checked.kind) {
      case "replay":
        return finish("replayed", {
          status: checked.answer.status,
          body: checked.answer.body,
          headers: { "Idempotent-Replayed": "true" },
        });
      case "in_progress":
        return finish(
          "request_in_progress",
          problemAnswer(
            "request_in_progress",
            "a request with this Idempotency-Key is still being answered; retry when it is",
            plan.requestId,
            {},
            { "Retry-After": "1" },
          ),
        );
      case "reused":
        return finish(
          "idempotency_key_reused",
          problemAnswer(
            "idempotency_key_reused",
            "this Idempotency-Key was used with another request body or target; use a new key",
            plan.requestId,
          ),
        );
      case "unavailable":
        return finish(
          "state_unavailable",
          problemAnswer(
            "state_unavailable",
            "the state store that keeps Idempotency-Key answers is unreachable; the write was not made",
            plan.requestId,
          ),
        );
    }
    const settle = (answer: StoredAnswer, keep: boolean) =>
      checked.kind === "claimed" ? checked.settle(answer, keep) : Promise.resolve();

    // Step: the upstream call, within the portal source's timeout.
    const deadline = createDeadline(plan.timeoutMs);
    let result: PortalWriteResult<T>;
    try {
      result = await plan.callUpstream({
        signal: deadline.signal,
        ...(span === null ? {} : { trace: span.context }),
      });
    } catch (error) {
      // A bug, not a refusal: the key is freed, and the error goes to onError (a 500).
      await settle({ status: 500, body: "" }, false);
      endSpan(span, "internal error");
      throw error;
    } finally {
      deadline.dispose();
    }

    if (!result.ok) return finish(...(await refused(plan, result.refusal, settle)));

    // Step: apply to the lists and the streams (read-your-writes), then answer.
    const body = await plan.apply(result.value);
    const answer: WriteAnswer = { status: 201, body: JSON.stringify(body), headers: {} };
    await settle({ status: answer.status, body: answer.body }, true);
    return finish("created", answer);
  }

  async function refused<T>(
    plan: WritePlan<T>,
    refusal: PortalRefusal,
    settle: (answer: StoredAnswer, keep: boolean) => Promise<void>,
  ): Promise<[WriteOutcome, WriteAnswer]> {
    const mapped = refusalAnswer(plan.kind, refusal, plan.timeoutMs);
    const answer = problemAnswer(
      mapped.code,
      mapped.detail,
      plan.requestId,
      mapped.extra,
      mapped.headers,
    );
    // Headers are not replayed; what a kept refusal needs is in its body.
    await settle({ status: answer.status, body: answer.body }, mapped.keep);
    if (refusal.kind === "unavailable" || refusal.kind === "timeout")
      logger.warn({
        event: "portal_write_failed",
        kind: plan.kind,
        source: plan.source,
        refusal: refusal.kind,
        ...(refusal.kind === "unavailable" && refusal.status !== null
          ? { status: refusal.status }
          : {}),
      });
    return [mapped.code, answer];
  }

  return { run };
}

export type WritePipeline = ReturnType<typeof createWritePipeline>;

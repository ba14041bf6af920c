import { UpstreamError } from "../upstream/upstream-error.js";

export const SOURCE_STATUSES = [
  "ok",
  "stale",
  "error",
  "timeout",
  "unauthorized",
  "skipped",
] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

/** What the response says about one source. */
export interface SourceReport {
  name: string;
  kind: string;
  status: SourceStatus;
  item_count: number;
  duration_ms: number;
  age_ms: number | null;
  error: string | null;
  /** What a sidebar or an operator should know although the source answered (a workspace it
   * refused, chats it could not date yet, files it counted from their tail); null otherwise. */
  note: string | null;
}

type Failure = { status: "error" | "timeout" | "unauthorized"; reason: string };

/** Turns whatever a load threw into a status and a reason that is safe to show a client. */
export function classify(error: unknown, timedOut: boolean, timeoutMs: number): Failure {
  if (error instanceof UpstreamError) {
    if (error.kind === "timeout")
      return { status: "timeout", reason: `no answer within ${timeoutMs} ms` };
    if (error.unauthorized) return { status: "unauthorized", reason: error.message };
    return { status: "error", reason: error.message };
  }
  if (timedOut) return { status: "timeout", reason: `no answer within ${timeoutMs} ms` };
  return { status: "error", reason: "internal error in the source adapter" };
}

/** A load that failed, carrying the status and reason its report shows. */
export class SourceFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
  }
}

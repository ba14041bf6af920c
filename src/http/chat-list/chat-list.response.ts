import type { Collected, SourceReport } from "../../sources/collect.js";
import type { ErrorCode } from "../problem.js";

const ANSWERED = new Set(["ok", "stale"]);

/**
 * The list's status (DESIGN §1): 200 when some source answered (ok or stale), or when every
 * source was skipped because the request does not need it. Otherwise the problem that describes
 * the failure: a refused credential, or a source skipped for missing credentials → unauthorized;
 * every source that was called timed out → timeout; else error.
 */
export function outcomeOf(
  collected: readonly Pick<Collected, "report" | "missingCredentials">[],
): "ok" | ErrorCode {
  if (collected.some(({ report }) => ANSWERED.has(report.status))) return "ok";
  if (
    collected.some(
      ({ report, missingCredentials }) =>
        report.status === "unauthorized" || missingCredentials === true,
    )
  )
    return "unauthorized";
  const called = collected.filter(({ report }) => report.status !== "skipped");
  if (called.length === 0) return "ok";
  if (called.every(({ report }) => report.status === "timeout")) return "upstream_timeout";
  return "upstream_error";
}

export function isComplete(reports: readonly SourceReport[]): boolean {
  return reports.every((report) => report.status === "ok" || report.status === "skipped");
}

/** `Server-Timing`: one metric per source (names are tokens, checked by the config) + total. */
export function serverTiming(reports: readonly SourceReport[], totalMs: number): string {
  return [
    ...reports.map((report) => `${report.name};dur=${report.duration_ms};desc="${report.status}"`),
    `total;dur=${Math.round(totalMs * 10) / 10}`,
  ].join(", ");
}

/** The problem's `detail`: each source that was called, or skipped for want of credentials. */
export function failureDetail(
  collected: readonly Pick<Collected, "report" | "missingCredentials">[],
): string {
  return collected
    .filter(({ report, missingCredentials }) => report.status !== "skipped" || missingCredentials)
    .map(({ report }) => {
      const reason = report.error ?? (report.status === "skipped" ? report.note : null);
      return `${report.name}: ${report.status}${reason ? ` (${reason})` : ""}`;
    })
    .join("; ");
}

export function sourceLog(collected: readonly Collected[]) {
  return collected.map(({ report, dropped, cost }) => ({
    name: report.name,
    status: report.status,
    duration_ms: report.duration_ms,
    dropped,
    ...(cost === undefined ? {} : { cost }),
  }));
}

/** Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 §13.1.2). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

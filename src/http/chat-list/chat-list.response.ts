import type { Collected, SourceReport } from "../../sources/collect.js";
import type { ErrorCode } from "../problem.js";

const ANSWERED = new Set(["ok", "stale"]);

/**
 * 200 when some source answered (ok or stale) or every source was skipped; otherwise the problem
 * that describes the failure: all refused → unauthorized, all timed out → timeout, else error.
 */
export function outcomeOf(reports: readonly SourceReport[]): "ok" | ErrorCode {
  const asked = reports.filter((report) => report.status !== "skipped");
  if (asked.length === 0 || asked.some((report) => ANSWERED.has(report.status))) return "ok";
  if (asked.every((report) => report.status === "unauthorized")) return "unauthorized";
  if (asked.every((report) => report.status === "timeout")) return "upstream_timeout";
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

export function failureDetail(reports: readonly SourceReport[]): string {
  return reports
    .filter((report) => report.status !== "skipped")
    .map((report) => `${report.name}: ${report.status}${report.error ? ` (${report.error})` : ""}`)
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

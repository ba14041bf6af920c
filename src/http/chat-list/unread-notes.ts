import type { Collected, SourceReport } from "../../sources/collect.js";

/**
 * The request's source reports; when the caller's read markers could not be read, each source
 * whose items have read state says so in its note (its unread counts are null).
 */
export function withUnavailableNotes(
  collected: readonly Collected[],
  unavailable: string | null,
): SourceReport[] {
  return collected.map(({ report, unread, identity }) => {
    if (unavailable === null || unread === undefined || typeof identity !== "string") return report;
    const note = `unread counts unavailable: ${unavailable}`;
    return { ...report, note: report.note === null ? note : `${report.note}; ${note}` };
  });
}

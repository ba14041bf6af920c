import type { ItemType } from "../../core/items.js";
import type { IdCollision } from "../../core/merge.js";
import type { SourceReport } from "../../sources/collect.js";

const ONE: Record<ItemType, string> = {
  group_chat: "a group chat",
  executor: "an executor",
  agent: "an agent",
};
const MANY: Record<ItemType, string> = {
  group_chat: "group chats",
  executor: "executors",
  agent: "agents",
};

/**
 * By source name: what its note says about its items that the merge dropped because a higher
 * type held their ids (DESIGN §1), e.g. "1 item dropped: its id is taken by an executor".
 */
export function collisionNotes(collisions: readonly IdCollision[]): Map<string, string> {
  const bySource = new Map<string, IdCollision[]>();
  for (const collision of collisions) {
    const list = bySource.get(collision.sourceName) ?? [];
    list.push(collision);
    bySource.set(collision.sourceName, list);
  }
  const notes = new Map<string, string>();
  for (const [source, list] of bySource) {
    const total = list.reduce((sum, collision) => sum + collision.count, 0);
    const first = list[0] as IdCollision;
    const takers =
      list.length === 1
        ? (total === 1 ? ONE : MANY)[first.takenBy]
        : list.map((collision) => `${MANY[collision.takenBy]} (${collision.count})`).join(" and ");
    notes.set(
      source,
      total === 1
        ? `1 item dropped: its id is taken by ${takers}`
        : `${total} items dropped: their ids are taken by ${takers}`,
    );
  }
  return notes;
}

/** The reports with each source's collision note added to what its note already says. */
export function withCollisionNotes(
  reports: readonly SourceReport[],
  notes: ReadonlyMap<string, string>,
): SourceReport[] {
  if (notes.size === 0) return [...reports];
  return reports.map((report) => {
    const note = notes.get(report.name);
    if (note === undefined) return report;
    return { ...report, note: report.note === null ? note : `${report.note}; ${note}` };
  });
}

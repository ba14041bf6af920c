import { z } from "@hono/zod-openapi";
import { GROUP_CHAT_ID_PREFIX, GroupChatItemSchema } from "../core/items.js";
import type { Logger } from "../core/logger.js";
import type { LiveStreams } from "../live/streams.js";
import type { PortalWriteEffect } from "../sources/portal/portal-writes.js";
import type { Source } from "../sources/source.js";
import type { WriteAnnouncement, WriteStore } from "../state/write-store.js";

const Part = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** An effect as another gateway announced it: checked like any input that crossed a wire. */
const EffectSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("chat_created"),
    identity: z.string().min(1),
    source: z.string().min(1),
    item: GroupChatItemSchema,
  }),
  z.object({
    kind: z.literal("message_sent"),
    identity: z.string().min(1),
    source: z.string().min(1),
    chatId: z.string().startsWith(GROUP_CHAT_ID_PREFIX).max(600),
    position: z.object({ ms: Part, seq: Part }),
    atMs: Part,
  }),
]);

export interface WriteEffectsDeps {
  sources: readonly Source[];
  live: LiveStreams;
  store: WriteStore;
  logger: Logger;
}

/**
 * Applying a write (DESIGN §13: read-your-writes): into the portal source's lists and dates
 * (every load of the identity shows it, cached or not), then to every stream of the identity in
 * this process; then announced, so the other gateways serving the identity do the same — on
 * PostgreSQL every instance, on Workers the identity's Durable Object, which holds its streams.
 */
export function createWriteEffects({ sources, live, store, logger }: WriteEffectsDeps) {
  const writers = new Map(
    sources.flatMap((source) =>
      source.writes === undefined ? [] : [[source.name, source.writes] as const],
    ),
  );

  /** This process's lists and, unless something else will refresh them, its streams. */
  function applyHere(effect: PortalWriteEffect, refreshStreams = true): void {
    writers.get(effect.source)?.remember(effect);
    if (refreshStreams) live.writeApplied(effect.identity);
  }

  /** The streams of `identity` in this process load their lists again. */
  function refreshStreams(identity: string): void {
    live.writeApplied(identity);
  }

  /** The other gateways'; a failure is logged (their lists catch up at their next refresh). */
  async function announce(effect: PortalWriteEffect): Promise<void> {
    try {
      await store.announce({ identity: effect.identity, effect });
    } catch (error) {
      logger.warn({
        event: "write_announce_failed",
        store: store.kind,
        reason: error instanceof Error ? error.message : "unknown",
      });
    }
  }

  /** What another gateway announced: applied here as its own write would be. An effect that
   * did not fit the announcement (or that this gateway cannot read) still refreshes the
   * identity's streams, which then show it once their sources do. */
  function heard(announcement: WriteAnnouncement): void {
    const parsed = EffectSchema.safeParse(announcement.effect);
    if (parsed.success && parsed.data.identity === announcement.identity)
      writers.get(parsed.data.source)?.remember(parsed.data as PortalWriteEffect);
    else if (announcement.effect !== null)
      logger.warn({ event: "write_announcement_unreadable", store: store.kind });
    live.writeApplied(announcement.identity);
  }

  return { applyHere, refreshStreams, announce, heard };
}

export type WriteEffects = ReturnType<typeof createWriteEffects>;

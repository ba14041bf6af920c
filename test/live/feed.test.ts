import { describe, expect, it } from "vitest";
import type { ChatListItem } from "../../src/core/items.js";
import { silentLogger } from "../../src/core/logger.js";
import { createFeed } from "../../src/live/feed.js";
import type { ListBody } from "../../src/live/list-state.js";
import { flush, manualTimers } from "../support/manual-timers.js";

const agent = (id: string, session_count = 0): ChatListItem => ({
  id,
  type: "agent",
  item_type: "agent",
  name: id,
  description: null,
  last_active: null,
  source: "global",
  source_name: "s",
  model: null,
  provider: null,
  session_count,
  workspace_path: null,
  is_global: true,
});

const body = (items: ChatListItem[], duration_ms = 1): ListBody => ({
  items,
  counts: { group_chats: 0, executors: 0, agents: items.length },
  sources: [
    {
      name: "s",
      kind: "agent_store",
      status: "ok",
      item_count: items.length,
      duration_ms,
      age_ms: 0,
      error: null,
      note: null,
    },
  ],
  complete: true,
  workspace_path: null,
  next_cursor: null,
});

type Event = { event: string; id: string | undefined; data: unknown };
const parse = (text: string): Event => {
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(text)?.[1];
  return {
    event: field("event") ?? "",
    id: field("id"),
    data: JSON.parse(field("data") ?? "null"),
  };
};

/** A feed over a list the test changes, with streams that record what they get. */
function setup(refreshMs = 1000, minIntervalMs = 250) {
  const time = manualTimers();
  let list = body([agent("a"), agent("b")]);
  let loads = 0;
  let idle = false;
  const feed = createFeed({
    load: async () => {
      loads++;
      return list;
    },
    refreshMs,
    minIntervalMs,
    clock: time.clock,
    timers: time.timers,
    logger: silentLogger,
    onIdle: () => {
      idle = true;
    },
  });
  const stream = (lastEventId?: string) => {
    const events: Event[] = [];
    const unsubscribe = feed.subscribe(
      {
        send: (text) => {
          events.push(parse(text));
          return true;
        },
      },
      lastEventId,
    );
    return { events, unsubscribe };
  };
  return {
    feed,
    time,
    stream,
    set: (next: ListBody) => {
      list = next;
    },
    loads: () => loads,
    idle: () => idle,
  };
}

describe("a live feed", () => {
  it("sends a snapshot first, with the list's body and a version id", async () => {
    const { stream } = setup();
    const first = stream();
    await flush();
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({
      event: "snapshot",
      data: body([agent("a"), agent("b")]),
    });
    expect(first.events[0]?.id).toMatch(/^[a-z0-9]+-1$/);
  });

  it("sends nothing when a load changes only timings", async () => {
    const { stream, time, set } = setup();
    const first = stream();
    await flush();
    set(body([agent("a"), agent("b")], 99));
    await time.advance(3000);
    expect(first.events.map((event) => event.event)).toEqual(["snapshot"]);
  });

  it("sends one patch with exactly the changed and removed items", async () => {
    const { stream, time, set } = setup();
    const first = stream();
    await flush();
    set(body([agent("a", 5), agent("c")]));
    await time.advance(1000);
    expect(first.events).toHaveLength(2);
    expect(first.events[1]).toMatchObject({
      event: "patch",
      data: { upsert: [agent("a", 5), agent("c")], remove: ["b"], complete: true },
    });
  });

  it("coalesces changes that come faster than minIntervalMs into one patch", async () => {
    const { feed, stream, time, set } = setup(60_000, 250);
    const first = stream();
    await flush();
    set(body([agent("a", 1), agent("b")]));
    feed.refresh("disk");
    await time.advance(1);
    set(body([agent("a", 2), agent("b", 2)]));
    feed.refresh("disk");
    // The snapshot went out at 0: nothing more before 250, then both changes in one patch.
    await time.advance(100);
    expect(first.events).toHaveLength(1);
    await time.advance(200);
    expect(first.events).toHaveLength(2);
    expect(first.events[1]).toMatchObject({
      event: "patch",
      data: { upsert: [agent("a", 2), agent("b", 2)], remove: [] },
    });
  });

  it("resumes a held version with one patch, and answers an unknown one with a snapshot", async () => {
    const { stream, time, set } = setup();
    const first = stream();
    await flush();
    const version = first.events[0]?.id as string;
    set(body([agent("a", 3), agent("b")]));
    await time.advance(1000);
    const resumed = stream(version);
    expect(resumed.events).toEqual([
      expect.objectContaining({
        event: "patch",
        data: expect.objectContaining({ upsert: [agent("a", 3)] }),
      }),
    ]);
    const unknown = stream("zzzz-9");
    expect(unknown.events.map((event) => event.event)).toEqual(["snapshot"]);
  });

  it("loads once per period for five streams, and never again once the last has gone", async () => {
    const { stream, time, loads, idle } = setup(1000);
    const streams = Array.from({ length: 5 }, () => stream());
    await time.advance(3000);
    expect(loads()).toBe(4);
    for (const each of streams) each.unsubscribe();
    expect(idle()).toBe(true);
    await time.advance(10_000);
    expect(loads()).toBe(4);
    expect(time.pending()).toBe(0);
  });

  it("reads a new feed's list only once its disk watch is in place, so no change falls between", async () => {
    const time = manualTimers();
    const steps: string[] = [];
    let watchReady: () => void = () => {};
    const feed = createFeed({
      load: async () => {
        steps.push("load");
        return body([agent("a")]);
      },
      watch: () => {
        steps.push("watch asked");
        return new Promise((resolve) => {
          watchReady = () => {
            steps.push("watching");
            resolve(() => {});
          };
        });
      },
      refreshMs: 60_000,
      minIntervalMs: 250,
      clock: time.clock,
      timers: time.timers,
      logger: silentLogger,
      onIdle: () => {},
    });
    const sent: string[] = [];
    feed.subscribe({ send: (text) => sent.push(text) > 0 });
    await flush();
    expect(steps).toEqual(["watch asked"]);
    expect(sent).toEqual([]);
    watchReady();
    await flush();
    expect(steps).toEqual(["watch asked", "watching", "load"]);
    expect(sent.map((text) => parse(text).event)).toEqual(["snapshot"]);
  });
});

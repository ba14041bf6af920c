import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Context } from "hono";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/core/logger.js";
import { createApp } from "../../src/http/app.js";
import type { DirectStreams } from "../../src/http/stream/stream.handler.js";
import { createLiveStreams } from "../../src/live/streams.js";

// A live stream lives for hours; whatever it keeps, it keeps that long, ten thousand times
// over. It must keep its connection and what it sends, not the request it was opened by.

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("a live stream written to its connection", () => {
  it("keeps nothing of the request's context once it is open", async () => {
    const live = createLiveStreams({
      maxStreams: 10,
      maxStreamsPerCaller: 10,
      clock: { now: () => Date.now() },
      logger: silentLogger,
      timers: { setTimeout, clearTimeout },
    });
    const contexts: WeakRef<Context>[] = [];
    const written: string[] = [];
    const directStreams: DirectStreams = {
      connection(c) {
        contexts.push(new WeakRef(c));
        return () => ({
          write: (text) => void written.push(text),
          queuedBytes: () => 0,
          end() {},
          cut() {},
          onGone() {},
        });
      },
      sent: new Response(null),
    };
    const app = createApp({
      config: parseConfig({ sources: [], live: { refreshMs: 600_000 } }),
      fetch: () => Promise.reject(new Error("no upstream")),
      live,
      directStreams,
    });
    const response = await app.request("/api/chat-list/stream", {
      headers: { cookie: "psession=ana" },
    });
    expect(response.status).toBe(200);
    await expect.poll(() => written.join("")).toContain("event: snapshot");
    expect(live.size()).toBe(1);
    expect(contexts).toHaveLength(1);

    for (let round = 0; round < 5 && contexts[0]?.deref() !== undefined; round++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    // Still open, and its request's context gone.
    expect(live.size()).toBe(1);
    expect(contexts[0]?.deref()).toBeUndefined();
    live.shutdown();
  });
});

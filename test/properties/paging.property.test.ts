import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";

// Runs: each builds a random list and walks every page of it twice.
const RUNS = 150;

/** An executor registry answered in memory: paging is the gateway's logic, not a socket's. */
const executor = fc.record({
  type: fc.stringMatching(/^[A-Z]{1,6}$/),
  name: fc.constantFrom("Alpha", "alpha", "Beta", "Zed", "éclair", "ß", "同"),
  last_active: fc.option(
    fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 5 * 60_000 }),
    { nil: null },
  ),
  session_count: fc.nat(9),
  is_available: fc.boolean(),
});

describe("paging property", () => {
  it("pages concatenate to the unpaged list, counts hold on every page, and retried cursors repeat", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(executor, { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        async (executors, limit) => {
          const app = createApp({
            config: parseConfig({
              sources: [
                { kind: "executor_registry", name: "executors", baseUrl: "http://registry.test" },
              ],
              rateLimit: { perMinute: 0 },
            }),
            fetch: async () => Response.json({ executors }),
          });
          const get = async (query: string) =>
            (await (await app.request(`/api/chat-list?${query}`)).json()) as {
              items: { id: string }[];
              counts: unknown;
              next_cursor: string | null;
            };
          const whole = await get("");
          const walked: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const query: string = `limit=${limit}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
            const page = await get(query);
            const retried = await get(query);
            expect(retried.items).toEqual(page.items);
            expect(retried.next_cursor === null).toBe(page.next_cursor === null);
            expect(page.counts).toEqual(whole.counts);
            walked.push(...page.items.map((item) => item.id));
            cursor = page.next_cursor;
            pages++;
          } while (cursor !== null && pages <= 50);
          expect(walked).toEqual(whole.items.map((item) => item.id));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { createPooledFetch } from "../../src/runtime/node/undici-fetch.js";
import {
  type FakeUpstream,
  type RecordedCall,
  startFakeUpstream,
} from "../support/fake-upstream.js";

// Runs: enough to cover many interleavings of users, workspaces and cache expiry, in seconds.
const RUNS = 60;

let portal: FakeUpstream;
const pool = createPooledFetch(16);

/** Each session's portal lists that user's own chats, after a random short delay. */
function chatsOf(call: RecordedCall) {
  const user = /psession=([^;]+)/.exec(String(call.headers.cookie ?? ""))?.[1] ?? "nobody";
  return {
    delayMs: Number(call.query.delay ?? 0) || (user.length % 3) * 5,
    json: [{ id: `chat-of-${user}`, chat_type: "group", name: user }],
  };
}

beforeAll(async () => {
  portal = await startFakeUpstream({ "/v1/portal/chats": chatsOf });
});
afterAll(async () => {
  await portal.close();
  await pool.close();
});

describe("isolation property", () => {
  it("no response ever contains another user's chat", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 2, maxLength: 5 }),
        fc.array(
          fc.record({
            user: fc.nat(4),
            workspace: fc.nat(2),
            advanceMs: fc.integer({ min: 0, max: 8000 }),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        fc.integer({ min: 1, max: 8 }),
        async (users, requests, concurrency) => {
          let now = Date.UTC(2026, 10, 22);
          const app = createApp({
            config: parseConfig({
              sources: [
                {
                  kind: "portal",
                  name: "portal",
                  baseUrl: portal.url,
                  timeoutMs: 1000,
                  history: { perMinute: 0 },
                },
              ],
              cache: { ttlMs: 3000, staleIfErrorMs: 5000 },
              rateLimit: { perMinute: 0 },
            }),
            fetch: pool.fetch,
            clock: { now: () => now },
          });
          for (let start = 0; start < requests.length; start += concurrency) {
            const batch = requests.slice(start, start + concurrency);
            const results = await Promise.all(
              batch.map(async ({ user, workspace, advanceMs }) => {
                now += advanceMs;
                const name = users[user % users.length] as string;
                const response = await app.request(`/api/chat-list?workspace_path=/w${workspace}`, {
                  headers: { cookie: `psession=${name}` },
                });
                return { name, body: (await response.json()) as { items: { id: string }[] } };
              }),
            );
            for (const { name, body } of results)
              expect(body.items.map((item) => item.id)).toEqual([`gc-chat-of-${name}`]);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { createPooledFetch } from "../../src/runtime/node/undici-fetch.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";
import { executorsReply } from "../support/fixtures.js";

// Runs: each is one request with random values for every parameter; cheap, so many.
const RUNS = 500;

let registry: FakeUpstream;
const pool = createPooledFetch(8);
beforeAll(async () => {
  registry = await startFakeUpstream({ "/executors": executorsReply("CODEX") });
});
afterAll(async () => {
  await registry.close();
  await pool.close();
});

const PARAMETERS = ["workspace_path", "include_global", "type", "limit", "cursor"];
// Strings as a client might send them, and as an attacker might: unicode, NUL, separators,
// percent signs, very long values, paths with dots.
const value = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    "true",
    "false",
    "1",
    "0",
    "/",
    "/..",
    "/a/../../etc",
    "C:\\\\x",
    "%00",
    "\u0000",
    "null",
  ),
  fc.stringMatching(/^\/[a-z/.]{0,60}$/),
  fc.integer().map(String),
);

describe("query fuzz property", () => {
  it("never answers 5xx, and every 4xx is problem+json", async () => {
    const app = createApp({
      config: parseConfig({
        sources: [
          { kind: "executor_registry", name: "executors", baseUrl: registry.url, timeoutMs: 1000 },
        ],
        rateLimit: { perMinute: 0 },
      }),
      fetch: pool.fetch,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...PARAMETERS), value), { maxLength: 6 }),
        async (pairs) => {
          const query = new URLSearchParams(pairs).toString();
          const response = await app.request(`/api/chat-list?${query}`);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get("content-type")).toBe("application/problem+json");
            const body = (await response.json()) as { status: number; detail: string };
            expect(body.status).toBe(response.status);
            expect(body.detail).not.toMatch(/\n\s+at /);
          } else await response.arrayBuffer();
        },
      ),
      { numRuns: RUNS },
    );
  });
});

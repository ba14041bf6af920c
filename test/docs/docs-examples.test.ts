import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { openApiDocument } from "../../src/http/openapi.js";
import { ERROR_CODES, type ErrorCode } from "../../src/http/problem.js";

// What /docs shows a newcomer (issue 25, item 6): "Try it out" pre-fills each parameter with its
// example, and each response shows its example body. Both come from the OpenAPI document.

const app = () =>
  createApp({
    config: parseConfig({}),
    fetch: () => Promise.reject(new Error("no upstream")),
  });

type Examples = Record<string, { value: { status: number; code: ErrorCode } }>;
type Operation = {
  parameters?: { name: string; example?: unknown; schema?: { example?: unknown } }[];
  responses: Record<string, { content?: Record<string, { examples?: Examples }> }>;
};

function operations(): [string, Operation][] {
  const document = openApiDocument(app()) as unknown as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

describe("the examples /docs shows", () => {
  it('pre-fills "Try it out" with a type filter that hides no item type', () => {
    const typeExamples = operations().flatMap(([name, operation]) =>
      (operation.parameters ?? [])
        .filter((parameter) => parameter.name === "type")
        .map((parameter) => [name, parameter.example ?? parameter.schema?.example]),
    );
    expect(typeExamples.map(([name]) => name)).toEqual([
      "GET /api/chat-list",
      "GET /api/chat-list/stream",
    ]);
    for (const [name, example] of typeExamples)
      expect({ name, types: String(example).split(",").sort() }).toEqual({
        name,
        types: ["agent", "executor", "group_chat"],
      });
  });

  it("shows each error status with examples of its own codes, never another status's", () => {
    const seen: string[] = [];
    for (const [name, operation] of operations())
      for (const [status, response] of Object.entries(operation.responses)) {
        const problem = response.content?.["application/problem+json"];
        if (problem === undefined) continue;
        const examples = Object.values(problem.examples ?? {});
        expect(examples.length, `${name} ${status} has examples`).toBeGreaterThan(0);
        for (const { value } of examples) {
          expect({ at: `${name} ${status}`, status: value.status }).toEqual({
            at: `${name} ${status}`,
            status: Number(status),
          });
          expect(ERROR_CODES[value.code].status).toBe(Number(status));
          seen.push(`${name} ${status} ${value.code}`);
        }
      }
    // The statuses a newcomer saw as invalid_query, each with its own problem now.
    expect(seen).toEqual(
      expect.arrayContaining([
        "GET /api/chat-list 421 host_not_allowed",
        "GET /api/chat-list 429 rate_limited",
        "GET /api/chat-list 500 internal",
        "GET /api/chat-list 502 upstream_error",
        "GET /api/chat-list 504 upstream_timeout",
      ]),
    );
  });

  it("answers a browser's /favicon.ico without a 404", async () => {
    const response = await app().request("/favicon.ico", { headers: { host: "127.0.0.1:8787" } });
    expect(response.status).toBe(204);
  });
});

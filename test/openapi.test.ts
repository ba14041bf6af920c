import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatedOpenApiText, OPENAPI_PATH } from "../scripts/generate-openapi.js";
import { parseConfig } from "../src/config/load.js";
import { createApp } from "../src/http/app.js";

const committed = readFileSync(OPENAPI_PATH, "utf8");

describe("OpenAPI document", () => {
  it("the committed openapi/openapi.json equals the generated document", () => {
    expect(committed).toBe(generatedOpenApiText());
  });

  it("GET /openapi.json serves the committed document", async () => {
    const app = createApp({
      config: parseConfig({}),
      fetch: () => Promise.reject(new Error("no upstream")),
    });
    const response = await app.request("/openapi.json");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(committed));
  });

  it("documents the chat list with its parameters, problems and the seed's example", () => {
    const document = JSON.parse(committed);
    expect(document.openapi).toBe("3.1.0");
    const operation = document.paths["/api/chat-list"].get;
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual([
      "workspace_path",
      "include_global",
      "type",
      "limit",
      "cursor",
    ]);
    expect(Object.keys(operation.responses).sort()).toEqual([
      "200",
      "304",
      "400",
      "401",
      "421",
      "429",
      "500",
      "502",
      "504",
    ]);
    expect(operation.responses["502"].content["application/problem+json"]).toBeDefined();
    const example = document.components.schemas.ChatListResponse.example;
    expect(example.items.map((item: { type: string }) => item.type)).toEqual([
      "group_chat",
      "executor",
      "agent",
    ]);
  });

  it("documents the two writes with their Idempotency-Key, bodies, answers and problems, with examples", () => {
    const document = JSON.parse(committed);
    const create = document.paths["/api/chat-list/group-chats"].post;
    const send = document.paths["/api/chat-list/group-chats/{id}/messages"].post;
    for (const operation of [create, send]) {
      expect(operation.parameters.map((p: { name: string }) => p.name)).toContain(
        "Idempotency-Key",
      );
      expect(operation.responses["201"].content["application/json"]).toBeDefined();
      const conflicts = operation.responses["409"].content["application/problem+json"].examples;
      expect(Object.keys(conflicts)).toEqual([
        "epoch_mismatch",
        "no_room_key",
        "request_in_progress",
      ]);
      expect(
        operation.responses["403"].content["application/problem+json"].examples.muted.value,
      ).toMatchObject({ code: "muted", ttl: 120 });
    }
    const schemas = document.components.schemas;
    expect(schemas.CreateGroupChatRequest.example).toMatchObject({ name: "release-war-room" });
    expect(schemas.SendMessageRequest.example.content).toMatch(/"v":2/);
    expect(schemas.SendMessageResponse.example).toMatchObject({
      id: expect.stringMatching(/^\d+-\d+$/),
    });
  });

  it("GET /docs serves an interactive page that loads the document", async () => {
    const app = createApp({
      config: parseConfig({}),
      fetch: () => Promise.reject(new Error("no upstream")),
    });
    const response = await app.request("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("/openapi.json");
  });
});

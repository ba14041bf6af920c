import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.js";

/** The document's fixed parts; paths and components come from the routes' zod schemas. */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "chat-list gateway",
    version: "0.1.0",
    description:
      "One sorted list of everything a user can chat with — portal group chats, coding-agent executors and custom agents — aggregated from the configured upstream sources.",
  },
  tags: [
    { name: "chat list", description: "The sidebar's one endpoint." },
    { name: "operations", description: "Liveness and readiness probes." },
  ],
};

export function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "psession", {
    type: "apiKey",
    in: "cookie",
    name: "psession",
    description:
      "The portal session cookie. Forwarded only to portal sources; without it, portal sources report `unauthorized`.",
  });
}

/** The OpenAPI 3.1 document of an app, generated without serving a request. */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  return app.getOpenAPI31Document(OPENAPI_CONFIG);
}

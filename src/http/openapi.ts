import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.js";

/** The document's fixed parts; paths and components come from the routes' zod schemas. */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "chat-list gateway",
    version: "0.1.0",
    description:
      "One sorted list of everything a user can chat with — portal group chats, coding-agent executors and custom agents — aggregated from the configured upstream sources.\n\nA gateway listening on loopback answers only requests whose `Host` names loopback or is in `http.allowedHosts` (others get 421 `host_not_allowed`, against DNS rebinding). State-changing routes refuse an `Origin` not in `http.corsOrigins` (403 `origin_not_allowed`). With `http.accessToken` set, `/api/*` needs `Authorization: Bearer <token>` (401 `token_required`).",
  },
  tags: [
    { name: "chat list", description: "The sidebar's one endpoint." },
    { name: "operations", description: "Liveness and readiness probes." },
  ],
};

/** Who may call an /api/* route: the portal cookie is optional (portal sources need it), and so
 * is the bearer token (needed only where http.accessToken is set). */
export const LIST_SECURITY: Array<Record<string, string[]>> = [
  { psession: [] },
  { accessToken: [] },
  { accessToken: [], psession: [] },
  {},
];

export function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "accessToken", {
    type: "http",
    scheme: "bearer",
    description:
      "Required on every /api/* request when the gateway is configured with `http.accessToken` (or `CHAT_LIST_ACCESS_TOKEN`); otherwise not needed.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "psession", {
    type: "apiKey",
    in: "cookie",
    name: "psession",
    description:
      "The portal session cookie. Forwarded only to portal sources; without it, portal sources are `skipped` with the note `no psession cookie sent` and not called (a list whose other sources answered is still complete).",
  });
}

/** The OpenAPI 3.1 document of an app, generated without serving a request. */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  return app.getOpenAPI31Document(OPENAPI_CONFIG);
}

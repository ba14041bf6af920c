import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "./problem.js";

export const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

export const ReadinessSchema = z
  .object({
    status: z.literal("ready"),
    sources: z.array(z.object({ name: z.string(), kind: z.string() })),
  })
  .openapi("Readiness");

export const healthzRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["operations"],
  summary: "Liveness: the process answers; touches no upstream",
  responses: {
    200: { description: "Alive", content: { "application/json": { schema: HealthSchema } } },
    ...problemResponses(421),
  },
});

/** The same as /healthz: Viben's desktop client finds its gateway by probing /health. */
export const healthRoute = createRoute({
  ...healthzRoute,
  path: "/health",
  summary: "Liveness, as Viben's desktop client probes it; the same as /healthz",
});

export const readyzRoute = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["operations"],
  summary: "Readiness: config loaded and the configured sources known",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadinessSchema } } },
    ...problemResponses(421),
  },
});

import { createRoute, z } from "@hono/zod-openapi";
import type { Clock } from "../core/clock.js";
import { problemResponses } from "./problem.js";
import { GATEWAY_SERVICE, GATEWAY_VERSION } from "./version.js";

export const HealthSchema = z
  .object({
    status: z.literal("ok"),
    service: z.literal(GATEWAY_SERVICE),
    version: z.string().openapi({ example: GATEWAY_VERSION }),
    timestamp: z.string().openapi({ example: "2026-12-07T09:30:00.000Z" }),
  })
  .openapi("Health", {
    description: "The fields Viben's desktop reads when it finds and diagnoses its gateway.",
  });

/** The liveness answer: touches nothing but the clock. */
export function health(clock: Clock): z.infer<typeof HealthSchema> {
  return {
    status: "ok",
    service: GATEWAY_SERVICE,
    version: GATEWAY_VERSION,
    timestamp: new Date(clock.now()).toISOString(),
  };
}

export const ReadinessSchema = z
  .object({
    status: z.enum(["ready", "unready"]),
    sources: z.array(z.object({ name: z.string(), kind: z.string() })),
    state: z
      .object({
        kind: z.enum(["memory", "sqlite", "postgres", "durable_object"]),
        durable: z.boolean().openapi({ description: "Whether markers survive a restart." }),
        reachable: z.boolean().openapi({
          description: "Whether the store answers and can store a marker (a write, rolled back).",
        }),
        error: z.string().nullable().openapi({
          description:
            "Why it cannot, when it cannot: unreachable, read-only, corrupt, locked by another process...",
          example: "the database is read-only",
        }),
      })
      .openapi({ description: "The read-marker store." }),
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
  summary:
    "Readiness: config loaded, the configured sources known, the read-marker store reachable and writable",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadinessSchema } } },
    503: {
      description: "Not ready: the read-marker store cannot be reached, or cannot store a marker.",
      content: { "application/json": { schema: ReadinessSchema } },
    },
    ...problemResponses(421),
  },
});

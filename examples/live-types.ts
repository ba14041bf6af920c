// The patch event's data, as the gateway's schema types it.
import type { z } from "@hono/zod-openapi";
import type { LivePatchSchema } from "../src/http/stream/stream.routes.js";

export type LivePatch = z.infer<typeof LivePatchSchema>;

import { z } from "@hono/zod-openapi";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { codesOf, problemExamples } from "./problem-examples.js";

/** Every error the gateway answers with: one closed list, one status each. */
export const ERROR_CODES = {
  invalid_query: { status: 400, title: "Invalid query parameters" },
  invalid_cursor: { status: 400, title: "Invalid page cursor" },
  invalid_body: { status: 400, title: "Invalid request body" },
  not_readable: { status: 400, title: "Item has no read state" },
  token_required: { status: 401, title: "A valid access token is required" },
  origin_not_allowed: { status: 403, title: "Origin not allowed" },
  banned: { status: 403, title: "The caller is banned from this chat" },
  muted: { status: 403, title: "The caller is muted in this chat" },
  forbidden: { status: 403, title: "The portal refused the write" },
  not_found: { status: 404, title: "Not found" },
  request_in_progress: {
    status: 409,
    title: "A request with this Idempotency-Key is still in progress",
  },
  epoch_mismatch: { status: 409, title: "The chat key has rotated" },
  no_room_key: { status: 409, title: "The caller has no key for the chat's current epoch" },
  conflict: { status: 409, title: "The portal reported a conflict" },
  payload_too_large: { status: 413, title: "Request body too large" },
  uri_too_long: { status: 414, title: "Request URL too long" },
  unsupported_media_type: { status: 415, title: "Request body must be application/json" },
  host_not_allowed: { status: 421, title: "Host not allowed" },
  invalid_fields: { status: 422, title: "The write's fields break its rules" },
  invalid_content: { status: 422, title: "The content is not a valid CiphertextV2 bundle" },
  idempotency_key_reused: {
    status: 422,
    title: "This Idempotency-Key was used with another request",
  },
  rate_limited: { status: 429, title: "Too many requests" },
  too_many_streams: { status: 429, title: "Too many open streams for this caller" },
  portal_rate_limited: { status: 429, title: "The portal asked to wait before writing again" },
  unauthorized: { status: 401, title: "No source accepted the caller's credentials" },
  upstream_error: { status: 502, title: "No source answered" },
  state_unavailable: { status: 503, title: "Read state is unavailable" },
  source_unavailable: { status: 503, title: "The item's source did not answer" },
  overloaded: { status: 503, title: "The gateway holds as many streams as it may" },
  upstream_timeout: { status: 504, title: "Every source timed out" },
  portal_unavailable: { status: 502, title: "The portal did not take the write" },
  portal_timeout: {
    status: 504,
    title: "The portal did not answer the write in time; it may still have happened",
  },
  backend_unavailable: { status: 502, title: "The backend the gateway fronts did not answer" },
  backend_timeout: { status: 504, title: "The backend the gateway fronts answered too late" },
  config_invalid: { status: 500, title: "The gateway's configuration is invalid" },
  internal: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export const ParameterErrorSchema = z
  .object({
    parameter: z.string().openapi({ example: "include_global" }),
    in: z.enum(["query", "body", "header"]),
    message: z.string().openapi({ example: 'must be one of "true", "false", "1", "0"' }),
  })
  .openapi("ParameterError");

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:chat-list:problem:invalid_query" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    message: z.string().openapi({
      description:
        "The same text as `detail`, for clients whose error parser reads `message` (Viben's desktop reads `error`, then `message`, then `details`; no member is named `error`).",
    }),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string().optional(),
    errors: z.array(ParameterErrorSchema).optional(),
  })
  .openapi("Problem", { description: "RFC 9457 problem details." });

export type Problem = z.infer<typeof ProblemSchema>;
export type ParameterError = z.infer<typeof ParameterErrorSchema>;

/** The problem body for an error code; `extra` adds members such as `errors` or `sources`.
 * `message` repeats `detail` for Viben's desktop, whose parser reads `error`, then `message`. */
export function problem<Extra extends object = object>(
  code: ErrorCode,
  detail: string,
  extra?: Extra,
): Problem & Extra {
  const { status, title } = ERROR_CODES[code];
  return {
    type: `urn:chat-list:problem:${code}`,
    title,
    status,
    detail,
    message: detail,
    code,
    ...(extra as Extra),
  };
}

/** An error the handlers throw to answer with a problem; `onError` renders it. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
  get status() {
    return ERROR_CODES[this.code].status;
  }
}

/** OpenAPI response entries for error statuses, so every route documents its problems, each
 * status with an example body per code it answers (problem-examples.ts). */
export function problemResponses<S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: Object.values(ERROR_CODES)
          .filter((entry) => entry.status === status)
          .map((entry) => entry.title)
          .join("; "),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: ProblemSchema,
            examples: problemExamples(codesOf(status)),
          },
        },
      },
    ]),
  ) as Record<
    S,
    {
      description: string;
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: typeof ProblemSchema;
          examples: ReturnType<typeof problemExamples>;
        };
      };
    }
  >;
}

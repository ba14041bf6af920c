import { ERROR_CODES, type ErrorCode, problem } from "./problem.js";

// One example body per error code, for the OpenAPI document: /docs shows each status with its
// own problems (a 429 as `rate_limited`, not the schema's first code). Details are what the
// gateway says in that case; ids are made up.
const REQUEST_ID = "0b6f7c1e-3c2a-4d7e-9a51-2f0d8e4c6b13";

const EXAMPLES: Record<ErrorCode, { detail: string; extra?: Record<string, unknown> }> = {
  invalid_query: {
    detail: 'include_global: must be one of "true", "false", "1", "0"',
    extra: {
      errors: [
        {
          parameter: "include_global",
          in: "query",
          message: 'must be one of "true", "false", "1", "0"',
        },
      ],
    },
  },
  invalid_cursor: { detail: "cursor expired" },
  invalid_body: {
    detail: "items.0.id: expected a string",
    extra: { errors: [{ parameter: "items.0.id", in: "body", message: "expected a string" }] },
  },
  not_readable: {
    detail: "no read state (not a chat the gateway counts): CLAUDE_CODE",
    extra: { ids: ["CLAUDE_CODE"] },
  },
  token_required: { detail: "send Authorization: Bearer <token> (http.accessToken is set)" },
  origin_not_allowed: { detail: 'Origin "https://evil.example" is not in http.corsOrigins' },
  not_found: { detail: "no route for GET /api/chat-lists" },
  payload_too_large: { detail: "the body may be at most 16384 bytes" },
  uri_too_long: { detail: "request URL is 9120 bytes; at most 8192" },
  unsupported_media_type: { detail: "the body must be application/json" },
  host_not_allowed: {
    detail: 'Host "rebound.example" is not a loopback name and not in http.allowedHosts',
  },
  rate_limited: { detail: "too many requests; retry after 2 s" },
  too_many_streams: { detail: "at most 8 streams per caller" },
  unauthorized: { detail: "portal: unauthorized (upstream answered HTTP 401)" },
  upstream_error: {
    detail:
      "viben-executors: error (upstream answered HTTP 500); viben-agents: error (body is not valid JSON)",
  },
  state_unavailable: { detail: "the read-state store is unreachable" },
  source_unavailable: {
    detail: "not known now: gc-project-chat (viben-group-chats: upstream answered HTTP 502)",
    extra: { ids: ["gc-project-chat"], sources: ["viben-group-chats"] },
  },
  overloaded: { detail: "the gateway holds its most streams" },
  upstream_timeout: {
    detail:
      "viben-executors: timeout (no answer within 800 ms); viben-agents: timeout (no answer within 800 ms)",
  },
  banned: { detail: "You are banned from this chat." },
  muted: { detail: "You are muted in this chat.", extra: { ttl: 120 } },
  forbidden: { detail: "Premium subscription required" },
  request_in_progress: {
    detail: "a request with this Idempotency-Key is still being answered; retry when it is",
  },
  epoch_mismatch: {
    detail: "the chat key has rotated: wait for a member to send the new key, then encrypt again",
  },
  no_room_key: { detail: "you have not received the chat key for the current epoch yet" },
  conflict: { detail: "the portal reported a conflict" },
  invalid_fields: {
    detail: "name: must be 2-64 characters",
    extra: { errors: [{ parameter: "name", in: "body", message: "must be 2-64 characters" }] },
  },
  invalid_content: {
    detail:
      'content: must be a CiphertextV2 bundle: {"v": 2, "epoch": <integer>, "ct": "<base64>"}',
    extra: {
      errors: [
        {
          parameter: "content",
          in: "body",
          message: 'must be a CiphertextV2 bundle: {"v": 2, "epoch": <integer>, "ct": "<base64>"}',
        },
      ],
    },
  },
  idempotency_key_reused: {
    detail: "this Idempotency-Key was used with another request body or target; use a new key",
  },
  portal_rate_limited: { detail: "the portal asked to wait; retry after 30 s" },
  portal_unavailable: { detail: "the portal answered HTTP 503" },
  portal_timeout: {
    detail:
      "the portal did not answer within 1500 ms; the write may still have happened there, so look before writing it again",
  },
  backend_unavailable: { detail: "the backend did not answer: connection refused" },
  backend_timeout: { detail: "the backend sent no headers within 30000 ms" },
  config_invalid: {
    detail: "CHAT_LIST_CONFIG_JSON: sources.0.baseUrl: Invalid URL",
    extra: { invalid_fields: ["sources.0.baseUrl: Invalid URL"] },
  },
  internal: { detail: `internal error; request id ${REQUEST_ID}` },
};

/** The codes answered with `status`, in the catalogue's order. */
export function codesOf(status: number): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
    (code) => ERROR_CODES[code].status === status,
  );
}

/** OpenAPI `examples` of a problem response: one per code, `extra` merged into each body. */
export function problemExamples(
  codes: readonly ErrorCode[],
  extra: (code: ErrorCode) => Record<string, unknown> = () => ({}),
) {
  return Object.fromEntries(
    codes.map((code) => {
      const example = EXAMPLES[code];
      return [
        code,
        {
          summary: ERROR_CODES[code].title,
          value: problem(code, example.detail, {
            ...example.extra,
            ...extra(code),
            request_id: REQUEST_ID,
          }),
        },
      ];
    }),
  );
}

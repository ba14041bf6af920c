import { z } from "@hono/zod-openapi";
import { WRITE_LIMITS } from "../state/write-store.js";

// DESIGN §13's rules for what a write may carry, checked before any upstream call. No message
// says what was sent: a content is never repeated in an error.

/** Characters as the portal counts them (code points), not UTF-16 units. */
const characters = (text: string) => [...text].length;

const MAX_BROWSER_CONFIG_BYTES = 4 * 1024;
export const MAX_CONTENT_CHARS = 4096;

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Whether `content` has CiphertextV2's outer shape, `{"v": 2, "epoch": <integer>, "ct":
 * "<base64>"}` — the only part the gateway may look at (it is end-to-end encrypted). Other
 * members are tolerated, as the portal may add some.
 */
export function isCiphertextV2(content: string): boolean {
  let bundle: unknown;
  try {
    bundle = JSON.parse(content);
  } catch {
    return false;
  }
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) return false;
  const { v, epoch, ct } = bundle as Record<string, unknown>;
  if (v !== 2 || typeof epoch !== "number" || !Number.isSafeInteger(epoch) || epoch < 0)
    return false;
  if (typeof ct !== "string" || !BASE64.test(ct)) return false;
  return !ct.includes("=") || ct.length % 4 === 0;
}

export const CreateChatRequestSchema = z
  .strictObject({
    name: z
      .string()
      .refine((name) => characters(name) >= 2 && characters(name) <= 64, {
        message: "must be 2-64 characters",
      })
      .refine((name) => name.trim() !== "", { message: "must not be blank" })
      .openapi({ example: "release-war-room", description: "2–64 characters." }),
    description: z
      .string()
      .refine((text) => characters(text) <= 500, { message: "must be at most 500 characters" })
      .optional()
      .openapi({ example: "Release coordination", description: "At most 500 characters." }),
    allow_control_requests: z.boolean().optional().openapi({
      description: "Whether viewers may request control of the chat's browser VM (default false).",
    }),
    browser_config: z
      .record(z.string(), z.unknown())
      .refine(
        (config) =>
          new TextEncoder().encode(JSON.stringify(config)).byteLength <= MAX_BROWSER_CONFIG_BYTES,
        { message: "must be at most 4 KiB as JSON" },
      )
      .optional()
      .openapi({
        description:
          "The chat's browser (Neko container) configuration, passed to the portal as is; at most 4 KiB as JSON.",
      }),
  })
  .openapi("CreateGroupChatRequest", {
    example: {
      name: "release-war-room",
      description: "Release coordination",
      allow_control_requests: true,
    },
  });
export type CreateChatRequest = z.infer<typeof CreateChatRequestSchema>;

export const SendMessageRequestSchema = z
  .strictObject({
    content: z
      .string()
      .refine((content) => characters(content) <= MAX_CONTENT_CHARS, {
        message: `must be at most ${MAX_CONTENT_CHARS} characters`,
      })
      .refine(isCiphertextV2, {
        message: 'must be a CiphertextV2 bundle: {"v": 2, "epoch": <integer>, "ct": "<base64>"}',
      })
      .openapi({
        description:
          "A CiphertextV2 JSON string, at most 4096 characters. Only its outer shape is checked; it is never logged, cached, traced or repeated in an error.",
        example: '{"v":2,"epoch":3,"ct":"c2FtcGxlIGNpcGhlcnRleHQ="}',
      }),
  })
  .openapi("SendMessageRequest", {
    example: { content: '{"v":2,"epoch":3,"ct":"c2FtcGxlIGNpcGhlcnRleHQ="}' },
  });
export type SendMessageRequest = z.infer<typeof SendMessageRequestSchema>;

/** The Idempotency-Key header's rule (the state stores enforce the same). */
export const IDEMPOTENCY_KEY = WRITE_LIMITS.key;

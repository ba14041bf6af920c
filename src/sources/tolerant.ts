import { z } from "zod";
import { toEpochMs } from "../core/timestamps.js";
import { UpstreamError } from "../upstream/upstream-error.js";

/**
 * Upstream payloads are tolerated, not trusted. These pieces read what the upstream contracts
 * allow (snake_case or camelCase, string or integer ids, four timestamp forms) and nothing more.
 */

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Copies camelCase keys to their snake_case spelling where that spelling is absent. */
export function withSnakeCaseAliases(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = { ...record };
  for (const [key, field] of Object.entries(record)) {
    const snake = snakeCase(key);
    if (snake !== key && out[snake] === undefined) out[snake] = field;
  }
  return out;
}

/** An object schema that also reads camelCase spellings of its snake_case fields. */
export function tolerantObject<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess(withSnakeCaseAliases, z.object(shape));
}

/** Ids may be strings or integers; they are always emitted as strings. */
export const UpstreamId = z.union([
  z.string().trim().min(1).max(512),
  z
    .number()
    .int()
    .nonnegative()
    .transform((id) => String(id)),
]);

/** Any tolerated timestamp form, as epoch ms; an unreadable value becomes null, not a failure. */
export const UpstreamTimestamp = z
  .unknown()
  .optional()
  .transform((value) => toEpochMs(value));

export const OptionalText = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === "string" && value.trim() !== "" ? value : null));

export const OptionalCount = z
  .unknown()
  .optional()
  .transform((value) =>
    typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined,
  );

/**
 * The list in a body that is either a bare array or an object holding it under `key`.
 * Anything else is the wrong shape for the whole source.
 */
export function listIn(body: unknown, key: string): unknown[] {
  if (Array.isArray(body)) return body;
  const nested = (body as Record<string, unknown> | null)?.[key];
  if (typeof body === "object" && body !== null && Array.isArray(nested)) return nested;
  throw new UpstreamError({ kind: "parse", message: `expected a list of ${key}` });
}

/** Validates each entry on its own: a malformed entry is dropped and counted, never fatal. */
export function parseEach<T>(entries: unknown[], schema: z.ZodType<T>) {
  const valid: T[] = [];
  let dropped = 0;
  for (const entry of entries) {
    const result = schema.safeParse(entry);
    if (result.success) valid.push(result.data);
    else dropped++;
  }
  return { valid, dropped };
}

/** Appends query parameters, leaving out the null ones. */
export function withQuery(url: string, params: Record<string, string | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null) search.set(key, value);
  const text = search.toString();
  return text === "" ? url : `${url}?${text}`;
}

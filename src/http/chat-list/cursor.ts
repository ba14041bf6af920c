import { z } from "@hono/zod-openapi";
import { ITEM_TYPES } from "../../core/items.js";
import type { SortKey } from "../../core/sort.js";

/**
 * Page cursors: the sort key of the last item shown, the query it belongs to, and an expiry,
 * signed with HMAC-SHA256 so a client cannot forge or alter one. Opaque to clients:
 * `<base64url JSON>.<base64url signature>`.
 */

const CursorSchema = z.strictObject({
  k: z.strictObject({
    last_active: z.string().nullable(),
    type: z.enum(ITEM_TYPES),
    name: z.string(),
    id: z.string(),
  }),
  /** The query the cursor belongs to. */
  q: z.string(),
  /** Expiry, epoch ms. */
  e: z.number().int(),
});

export type CursorCheck = { ok: true; key: SortKey } | { ok: false; reason: string };

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export interface CursorCodecOptions {
  /** The signing secret; without one a random per-process secret is used (cursors then do not
   * survive a restart, nor cross Worker isolates). */
  secret?: string;
  ttlMs: number;
  now: () => number;
}

export function createCursorCodec(options: CursorCodecOptions) {
  const secret = options.secret ?? base64url(crypto.getRandomValues(new Uint8Array(32)));
  const keyPromise = crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );

  async function encode(key: SortKey, query: string): Promise<string> {
    const payload = base64url(
      encoder.encode(JSON.stringify({ k: key, q: query, e: options.now() + options.ttlMs })),
    );
    const signature = await crypto.subtle.sign("HMAC", await keyPromise, encoder.encode(payload));
    return `${payload}.${base64url(new Uint8Array(signature))}`;
  }

  async function decode(cursor: string, query: string): Promise<CursorCheck> {
    const [payload, signature, extra] = cursor.split(".");
    const signatureBytes = signature === undefined ? null : fromBase64url(signature);
    if (payload === undefined || signatureBytes === null || extra !== undefined)
      return { ok: false, reason: "is not a cursor from this gateway" };
    const valid = await crypto.subtle.verify(
      "HMAC",
      await keyPromise,
      signatureBytes,
      encoder.encode(payload),
    );
    if (!valid) return { ok: false, reason: "is not a cursor from this gateway (or was altered)" };
    const bytes = fromBase64url(payload);
    let parsed: unknown;
    try {
      parsed = bytes === null ? null : JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      parsed = null;
    }
    const result = CursorSchema.safeParse(parsed);
    if (!result.success) return { ok: false, reason: "is malformed" };
    if (result.data.e < options.now())
      return { ok: false, reason: "has expired; start again from the first page" };
    if (result.data.q !== query)
      return {
        ok: false,
        reason: "belongs to another query (workspace_path, include_global or type)",
      };
    return { ok: true, key: result.data.k };
  }

  return { encode, decode };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;

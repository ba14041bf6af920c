import { z } from "@hono/zod-openapi";
import { sha256Hex } from "../../cache/cache-key.js";
import { ITEM_TYPES } from "../../core/items.js";
import type { SortKey } from "../../core/sort.js";

/**
 * Page cursors: the sort key of the last item shown, tags of the query and of the caller it
 * belongs to, and an expiry, encrypted and authenticated with AES-256-GCM (Web Crypto, the same
 * on Node and Workers). Cursors end up in proxy logs and browser histories, so nothing in one
 * is readable — not an item's name or id — and none can be forged, altered, or used by another
 * caller or with another query. Opaque to clients: base64url of a 12-byte nonce and the
 * ciphertext with its tag.
 */

const CursorSchema = z.strictObject({
  k: z.strictObject({
    last_active: z.string().nullable(),
    type: z.enum(ITEM_TYPES),
    name: z.string(),
    id: z.string(),
  }),
  /** Tag of the query the cursor belongs to. */
  q: z.string(),
  /** Tag of the caller it was given to. */
  c: z.string(),
  /** Expiry, epoch ms. */
  e: z.number().int(),
});

export type CursorCheck = { ok: true; key: SortKey } | { ok: false; reason: string };

const encoder = new TextEncoder();
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

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

/** A short tag of a binding: enough to tell two apart, short enough to keep cursors small (a
 * workspace path alone may be 4096 characters); it is inside the ciphertext, never shown. */
const tagOf = (text: string) => sha256Hex(text).slice(0, 16);

/** The AES-GCM key: derived (HKDF-SHA-256) from the configured secret, so every process and
 * isolate with that secret reads every cursor; else random for this process. */
async function cursorKey(secret: string | undefined): Promise<CryptoKey> {
  const usages: KeyUsage[] = ["encrypt", "decrypt"];
  if (secret === undefined)
    return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, usages);
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("chat-list-gateway"),
      info: encoder.encode("page cursor, AES-256-GCM"),
    },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    usages,
  );
}

export interface CursorCodecOptions {
  /** The secret cursor keys derive from; without one a random per-process key is used
   * (cursors then do not survive a restart, nor cross Worker isolates). */
  secret?: string;
  ttlMs: number;
  now: () => number;
}

export function createCursorCodec(options: CursorCodecOptions) {
  const keyPromise = cursorKey(options.secret);

  /** A cursor after `key`, for the query `binding`, usable only by `caller` (the caller key:
   * its credential hash, or "-"). */
  async function encode(key: SortKey, binding: string, caller: string): Promise<string> {
    const payload = {
      k: key,
      q: tagOf(binding),
      c: tagOf(caller),
      e: options.now() + options.ttlMs,
    };
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce },
      await keyPromise,
      encoder.encode(JSON.stringify(payload)),
    );
    const bytes = new Uint8Array(NONCE_BYTES + sealed.byteLength);
    bytes.set(nonce);
    bytes.set(new Uint8Array(sealed), NONCE_BYTES);
    return base64url(bytes);
  }

  async function decode(cursor: string, binding: string, caller: string): Promise<CursorCheck> {
    const bytes = fromBase64url(cursor);
    if (bytes === null || bytes.length <= NONCE_BYTES + TAG_BYTES)
      return { ok: false, reason: "is not a cursor from this gateway" };
    let parsed: unknown;
    try {
      const opened = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.subarray(0, NONCE_BYTES) },
        await keyPromise,
        bytes.subarray(NONCE_BYTES),
      );
      parsed = JSON.parse(new TextDecoder().decode(opened));
    } catch {
      return { ok: false, reason: "is not a cursor from this gateway (or was altered)" };
    }
    const result = CursorSchema.safeParse(parsed);
    if (!result.success) return { ok: false, reason: "is malformed" };
    if (result.data.e < options.now())
      return { ok: false, reason: "has expired; start again from the first page" };
    if (result.data.c !== tagOf(caller))
      return { ok: false, reason: "was given to another caller" };
    if (result.data.q !== tagOf(binding))
      return {
        ok: false,
        reason: "belongs to another query (workspace_path, include_global or type)",
      };
    return { ok: true, key: result.data.k };
  }

  return { encode, decode };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;

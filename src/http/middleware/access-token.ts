import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../problem.js";
import { headerOf } from "../request-header.js";

/** Equal-length byte arrays compared in time independent of where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < a.length && index < b.length; index++)
    difference |= (a[index] as number) ^ (b[index] as number);
  return difference === 0;
}

/**
 * Requires `Authorization: Bearer <token>` (DESIGN §10), so that another account on a shared
 * machine cannot read this user's local list. Both sides are hashed first, so the comparison
 * takes the same time whatever the length or content of what was sent. The returned function
 * throws the 401 for a missing or wrong token.
 */
export function tokenCheck(token: string): (authorization: string | undefined) => void {
  const expected = sha256(utf8ToBytes(token));
  return function checkToken(header) {
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match?.[1] !== undefined && sameBytes(sha256(utf8ToBytes(match[1])), expected)) return;
    throw new ApiError(
      "token_required",
      header === undefined
        ? "send Authorization: Bearer <token> (http.accessToken is set)"
        : "the access token is wrong",
    );
  };
}

/** What a 401 for the token carries, so a client knows which scheme to use. */
export const TOKEN_CHALLENGE = 'Bearer realm="chat-list-gateway"';

/** A tokenCheck as middleware. CORS preflights carry no credentials and pass; the CORS
 * middleware answers them. */
export function accessToken(
  check: (authorization: string | undefined) => void,
): MiddlewareHandler<AppEnv> {
  return async function requireToken(c, next) {
    if (c.req.method === "OPTIONS") return next();
    try {
      check(headerOf(c, "authorization"));
    } catch (error) {
      c.header("WWW-Authenticate", TOKEN_CHALLENGE);
      throw error;
    }
    return next();
  };
}

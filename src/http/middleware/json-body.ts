import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../problem.js";
import { headerOf } from "../request-header.js";

const JSON_MEDIA_TYPE = /^application\/json\s*(;.*)?$/i;

/**
 * A JSON body of at most `maxBytes`: any other Content-Type is a 415 (so a browser form, which
 * cannot send application/json, cannot post cross-site), a longer body a 413 — counted as it
 * streams in when no Content-Length says so.
 */
export function jsonBody(maxBytes: number): MiddlewareHandler<AppEnv>[] {
  return [
    async function requireJson(c, next) {
      if (!JSON_MEDIA_TYPE.test(headerOf(c, "content-type") ?? ""))
        throw new ApiError("unsupported_media_type", "send the body as application/json");
      return next();
    },
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new ApiError("payload_too_large", `the body may be at most ${maxBytes} bytes`);
      },
    }),
  ];
}

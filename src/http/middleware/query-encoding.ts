import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError, type ParameterError } from "../problem.js";

function decodesStrictly(raw: string): boolean {
  try {
    decodeURIComponent(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a query string whose names or values are not valid percent-encoded UTF-8, with a 400
 * naming each. Hono decodes leniently — an undecodable `%ff` is kept as the three characters —
 * so `workspace_path=/%ff` and `workspace_path=/%25ff` would both read as "/%ff": two paths,
 * one cache key. Refusing the undecodable one keeps every query value decoded once, exactly,
 * and keeps bytes that name no UTF-8 path out of upstream calls.
 */
export function strictQueryEncoding(): MiddlewareHandler<AppEnv> {
  return async function checkQueryEncoding(c, next) {
    const errors = queryEncodingErrors(c.req.url);
    if (errors.length > 0)
      throw new ApiError(
        "invalid_query",
        errors.map((error) => `${error.parameter}: ${error.message}`).join("; "),
        { errors },
      );
    return next();
  };
}

/** The query parameters of `url` whose name or value is not valid percent-encoded UTF-8. */
export function queryEncodingErrors(url: string): ParameterError[] {
  const start = url.indexOf("?");
  // The usual query has no escapes at all: nothing to look at.
  if (start === -1 || url.indexOf("%", start) === -1) return [];
  const end = url.indexOf("#", start);
  const errors: ParameterError[] = [];
  for (const pair of url.slice(start + 1, end === -1 ? undefined : end).split("&")) {
    const equals = pair.indexOf("=");
    const name = equals === -1 ? pair : pair.slice(0, equals);
    const value = equals === -1 ? "" : pair.slice(equals + 1);
    if (decodesStrictly(name) && decodesStrictly(value)) continue;
    errors.push({
      parameter: decodesStrictly(name) ? decodeURIComponent(name) : "(query)",
      in: "query",
      message: "is not valid percent-encoded UTF-8",
    });
  }
  return errors;
}

import type { Hook } from "@hono/zod-openapi";
import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../core/logger.js";
import type { AppEnv } from "./app-env.js";
import { ApiError, type ParameterError, PROBLEM_CONTENT_TYPE, problem } from "./problem.js";

const problemHeaders = { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store" };

/** Query validation failures become one 400 problem naming every bad parameter. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const inBody = result.target === "json";
  const errors: ParameterError[] = result.error.issues.map((issue) => ({
    parameter: inBody
      ? issue.path.map(String).join(".") || "(body)"
      : String(issue.path[0] ?? "(query)"),
    in: inBody ? "body" : "query",
    message: issue.message,
  }));
  const detail = errors.map((error) => `${error.parameter}: ${error.message}`).join("; ");
  return c.json(
    problem(inBody ? "invalid_body" : "invalid_query", detail, {
      errors,
      request_id: c.get("requestId"),
    }),
    400,
    problemHeaders,
  );
};

/** Anything thrown ends here: a known ApiError keeps its code, the rest is a generic 500 that
 * carries the request id and never a stack. */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function handleError(error, c) {
    const requestId = c.get("requestId");
    // Hono's own JSON validator throws this for a body that is not JSON.
    if (error instanceof HTTPException && error.status === 400)
      return c.json(
        problem("invalid_body", error.message, { request_id: requestId }),
        400,
        problemHeaders,
      );
    if (error instanceof ApiError)
      return c.json(
        problem(error.code, error.message, { ...error.extra, request_id: requestId }),
        error.status,
        problemHeaders,
      );
    logger.error({
      event: "unhandled_error",
      request_id: requestId,
      error: String(error),
      stack: error.stack,
    });
    return c.json(
      problem("internal", `internal error; request id ${requestId}`, { request_id: requestId }),
      500,
      problemHeaders,
    );
  };
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(
    problem("not_found", `no route for ${c.req.method} ${c.req.path}`, {
      request_id: c.get("requestId"),
    }),
    404,
    problemHeaders,
  );

import type { Hook } from "@hono/zod-openapi";
import type { ErrorHandler, NotFoundHandler } from "hono";
import type { Logger } from "../core/logger.js";
import type { AppEnv } from "./app-env.js";
import { ApiError, type ParameterError, PROBLEM_CONTENT_TYPE, problem } from "./problem.js";

const problemHeaders = { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store" };

/** Query validation failures become one 400 problem naming every bad parameter. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const errors: ParameterError[] = result.error.issues.map((issue) => ({
    parameter: String(issue.path[0] ?? "(query)"),
    in: "query",
    message: issue.message,
  }));
  const detail = errors.map((error) => `${error.parameter}: ${error.message}`).join("; ");
  return c.json(
    problem("invalid_query", detail, { errors, request_id: c.get("requestId") }),
    400,
    problemHeaders,
  );
};

/** Anything thrown ends here: a known ApiError keeps its code, the rest is a generic 500 that
 * carries the request id and never a stack. */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function handleError(error, c) {
    const requestId = c.get("requestId");
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

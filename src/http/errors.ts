import type { Hook } from "@hono/zod-openapi";
import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../core/logger.js";
import type { AppEnv } from "./app-env.js";
import { ApiError, type ParameterError, PROBLEM_CONTENT_TYPE, problem } from "./problem.js";

/** What a problem answer carries besides the frame headers. */
export const PROBLEM_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": PROBLEM_CONTENT_TYPE,
  "Cache-Control": "no-store",
};

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
    PROBLEM_HEADERS,
  );
};

/**
 * The writes' validation (DESIGN §13): a body that breaks the rules is a 422 naming each field —
 * `invalid_content` when the content is what is wrong, else `invalid_fields` — and nothing of
 * what was sent is repeated. Other targets (query, path) as validationHook.
 */
export const writeValidationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  if (result.target !== "json") return validationHook(result, c);
  const errors: ParameterError[] = result.error.issues.map((issue) => ({
    parameter: issue.path.map(String).join(".") || "(body)",
    in: "body",
    message: issue.message,
  }));
  const code = errors.some((error) => error.parameter === "content")
    ? "invalid_content"
    : "invalid_fields";
  const detail = errors.map((error) => `${error.parameter}: ${error.message}`).join("; ");
  return c.json(
    problem(code, detail, { errors, request_id: c.get("requestId") }),
    422,
    PROBLEM_HEADERS,
  );
};

/** The problem a thrown error answers with: a known ApiError keeps its code, the rest is a
 * generic 500 that carries the request id and never a stack (the stack goes to the log). */
export function errorProblem(error: unknown, requestId: string, logger: Logger) {
  // Hono's own JSON validator throws this for a body that is not JSON.
  if (error instanceof HTTPException && error.status === 400)
    return {
      status: 400 as const,
      body: problem("invalid_body", error.message, { request_id: requestId }),
    };
  if (error instanceof ApiError)
    return {
      status: error.status,
      body: problem(error.code, error.message, { ...error.extra, request_id: requestId }),
    };
  logger.error({
    event: "unhandled_error",
    request_id: requestId,
    error: String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  return {
    status: 500 as const,
    body: problem("internal", `internal error; request id ${requestId}`, { request_id: requestId }),
  };
}

/** Anything thrown in a route ends here (see errorProblem). */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function handleError(error, c) {
    const { status, body } = errorProblem(error, c.get("requestId"), logger);
    return c.json(body, status, PROBLEM_HEADERS);
  };
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(
    problem("not_found", `no route for ${c.req.method} ${c.req.path}`, {
      request_id: c.get("requestId"),
    }),
    404,
    PROBLEM_HEADERS,
  );

import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import type { TraceContext } from "../observability/tracing.js";
import type { SourceReport } from "../sources/collect.js";
import type { Caller } from "./credentials.js";
import type { RawRequestHeaders } from "./request-header.js";

/** Per-request values shared by middleware and handlers. */
export interface AppVariables extends RequestIdVariables {
  /** Set by the chat-list handler for the request log. */
  sourceLog?: Array<
    Pick<SourceReport, "name" | "status" | "duration_ms"> & {
      dropped: number;
      cost?: Record<string, number>;
    }
  >;
  /** The caller's session and its hash, computed once (see createCallers). */
  caller?: Caller;
  /** The client's address, resolved once (see clientAddressOf). */
  clientAddress?: string;
  /** The request's span, set by observeRequest: the parent of the work the request causes. */
  trace?: TraceContext;
  /** The runtime's parsed request headers, where it has them (see headerOf). */
  rawHeaders?: RawRequestHeaders;
  /** Set by the pass-through (DESIGN §12): the answer is the backend's, framed already, so
   * the backend's own security headers are not overwritten. */
  passedThrough?: true;
  /** Set by the Worker entry: keeps background cache refreshes alive after the response. */
  waitUntil?: (work: Promise<unknown>) => void;
}

export interface AppEnv {
  Variables: AppVariables;
}

export type App = OpenAPIHono<AppEnv>;

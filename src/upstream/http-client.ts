import { type TraceContext, traceparentFor } from "../observability/tracing.js";
import { nestedDeeperThan } from "./json-depth.js";
import { UpstreamError } from "./upstream-error.js";

/** The one thing the gateway needs from a runtime's HTTP stack: WHATWG fetch. On Node it is
 * undici's fetch with a pooled dispatcher; on Workers the global fetch; in tests anything. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface UpstreamClientOptions {
  fetch: FetchLike;
  /** Largest body accepted, counted after decompression while streaming. */
  maxBodyBytes: number;
  /** Same-origin redirects followed at most; a redirect to another origin is refused. */
  maxRedirects?: number;
  /** Deepest nesting of arrays and objects accepted in a body (default 64). */
  maxJsonDepth?: number;
}

/** What every upstream call carries from the work that makes it. */
export interface UpstreamCall {
  /** Aborts the call: the source timeout joined with the request deadline. */
  signal: AbortSignal;
  /** Where the call sits in a trace: its `traceparent` header goes with the call, and that
   * header is the only one tracing adds. */
  trace?: TraceContext;
}

export interface GetJsonOptions extends UpstreamCall {
  headers?: Record<string, string>;
}

export interface PostJsonOptions extends UpstreamCall {
  headers?: Record<string, string>;
  /** Serialized as the request's JSON body. */
  json: unknown;
}

/** An upstream's answer to a write, whatever its status: the caller decides what it means. */
export interface UpstreamAnswer {
  status: number;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
  /** Retry-After (on 429 or 503), in milliseconds. */
  retryAfterMs?: number;
}

export interface UpstreamClient {
  /** GETs a URL and returns its parsed JSON body, or throws an UpstreamError. */
  getJson(url: string, options: GetJsonOptions): Promise<unknown>;
  /** POSTs a JSON body and returns the answer, refusals included. Throws an UpstreamError only
   * when there is no answer to read: timeout, network, a redirect (never followed: a write is
   * not repeated elsewhere), or a body over the size cap. */
  postJson(url: string, options: PostJsonOptions): Promise<UpstreamAnswer>;
}

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // Only an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"): Date.parse alone reads "-5" as a date.
  if (!IMF_FIXDATE.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (!encoded && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new UpstreamError({ kind: "size", message: `body of ${declared} bytes is over the cap` });
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new UpstreamError({ kind: "size", message: `body over the ${maxBytes}-byte cap` });
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  return code === undefined ? "connection failed" : `connection failed (${code})`;
}

function toUpstreamError(error: unknown, signal: AbortSignal): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (signal.aborted)
    return new UpstreamError({ kind: "timeout", message: "timed out", cause: error });
  if (error instanceof SyntaxError)
    return new UpstreamError({ kind: "parse", message: "body is not valid JSON", cause: error });
  return new UpstreamError({ kind: "network", message: describeNetworkError(error), cause: error });
}

async function httpError(response: Response): Promise<UpstreamError> {
  await response.body?.cancel().catch(() => {});
  const retryAfterMs =
    response.status === 429 || response.status === 503
      ? parseRetryAfter(response.headers.get("retry-after"), Date.now())
      : undefined;
  return new UpstreamError({
    kind: "http",
    status: response.status,
    message: `upstream answered HTTP ${response.status}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const maxRedirects = options.maxRedirects ?? 3;
  const maxJsonDepth = options.maxJsonDepth ?? 64;

  async function getJson(
    url: string,
    { headers = {}, signal, trace }: GetJsonOptions,
  ): Promise<unknown> {
    const traceparent = trace === undefined ? undefined : traceparentFor(trace);
    const sent =
      traceparent === undefined
        ? { accept: "application/json", ...headers }
        : { accept: "application/json", ...headers, traceparent };
    try {
      let target = new URL(url);
      for (let hop = 0; ; hop++) {
        signal.throwIfAborted();
        const response = await options.fetch(target.href, {
          method: "GET",
          headers: sent,
          redirect: "manual",
          signal,
        });
        if (REDIRECT_STATUSES.has(response.status)) {
          await response.body?.cancel().catch(() => {});
          const location = response.headers.get("location");
          const next = location === null ? null : new URL(location, target);
          if (next === null || next.origin !== target.origin)
            throw new UpstreamError({
              kind: "redirect",
              message: "redirect to another origin refused",
            });
          if (hop >= maxRedirects)
            throw new UpstreamError({ kind: "redirect", message: "too many redirects" });
          target = next;
          continue;
        }
        if (!response.ok) throw await httpError(response);
        const body = await readCapped(response, options.maxBodyBytes);
        if (nestedDeeperThan(body, maxJsonDepth))
          throw new UpstreamError({
            kind: "parse",
            message: `body nested deeper than ${maxJsonDepth} levels`,
          });
        return JSON.parse(new TextDecoder().decode(body));
      }
    } catch (error) {
      throw toUpstreamError(error, signal);
    }
  }

  async function postJson(
    url: string,
    { headers = {}, json, signal, trace }: PostJsonOptions,
  ): Promise<UpstreamAnswer> {
    const traceparent = trace === undefined ? undefined : traceparentFor(trace);
    const sent: Record<string, string> = {
      accept: "application/json",
      "content-type": "application/json",
      ...headers,
      ...(traceparent === undefined ? {} : { traceparent }),
    };
    try {
      signal.throwIfAborted();
      const response = await options.fetch(url, {
        method: "POST",
        headers: sent,
        body: JSON.stringify(json),
        redirect: "manual",
        signal,
      });
      if (REDIRECT_STATUSES.has(response.status)) {
        await response.body?.cancel().catch(() => {});
        throw new UpstreamError({ kind: "redirect", message: "a write is never redirected" });
      }
      const retryAfterMs =
        response.status === 429 || response.status === 503
          ? parseRetryAfter(response.headers.get("retry-after"), Date.now())
          : undefined;
      const bytes = await readCapped(response, options.maxBodyBytes);
      let body: unknown;
      if (bytes.byteLength > 0 && !nestedDeeperThan(bytes, maxJsonDepth)) {
        try {
          body = JSON.parse(new TextDecoder().decode(bytes));
        } catch {
          body = undefined;
        }
      }
      return {
        status: response.status,
        body,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    } catch (error) {
      throw toUpstreamError(error, signal);
    }
  }

  return { getJson, postJson };
}

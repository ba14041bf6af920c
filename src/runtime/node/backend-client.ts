import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Agent, type Dispatcher, errors } from "undici";
import { BackendError, type BackendRequest } from "../../proxy/backend.js";

/** Statuses whose answer has no body, whatever the backend's headers say. */
const NO_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * The pass-through's backend on Node (DESIGN §12): undici's `request`, not its fetch, because
 * fetch decodes a gzip answer while the caller must get it as the backend sent it. Its own
 * keep-alive pool, so passed-through traffic never queues behind the sources' calls. The body
 * is read only as the caller reads it: a 50 MB download holds one chunk at a time.
 */
export function createNodeBackend(connections: number) {
  const agent = new Agent({ connections, keepAliveTimeout: 10_000, bodyTimeout: 0 });

  async function send(request: BackendRequest): Promise<Response> {
    const url = new URL(request.url);
    let answer: Dispatcher.ResponseData;
    try {
      answer = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method as "GET",
        headers: Object.fromEntries(request.headers),
        body:
          request.body === null
            ? null
            : Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>),
        signal: request.signal,
        headersTimeout: request.headersTimeoutMs,
        bodyTimeout: 0,
      });
    } catch (error) {
      if (error instanceof errors.HeadersTimeoutError)
        throw new BackendError("timeout", `no answer within ${request.headersTimeoutMs} ms`);
      throw new BackendError("unreachable", "the backend could not be reached", { cause: error });
    }
    if (answer.statusCode < 200 || answer.statusCode > 599) {
      answer.body.destroy();
      throw new BackendError("unreachable", `the backend answered status ${answer.statusCode}`);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    const hasBody = !NO_BODY_STATUSES.has(answer.statusCode) && request.method !== "HEAD";
    if (!hasBody) answer.body.destroy();
    return new Response(hasBody ? pulled(answer.body) : null, {
      status: answer.statusCode,
      headers,
    });
  }

  return { send, close: () => agent.close() };
}

/** A web stream over a Node stream that reads a chunk only when one is asked for. */
function pulled(body: Readable): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value as Uint8Array);
      },
      cancel() {
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

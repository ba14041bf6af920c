import type { FakeUpstream, RecordedCall, Reply, Route } from "../support/fake-upstream.js";

/**
 * Fake upstreams without sockets, for runtimes that cannot listen (workerd): each has an origin
 * such as http://upstream-1.test, and `fetch` answers requests to those origins with the same
 * Reply semantics as the loopback servers (delays, hangs until aborted, resets as network
 * errors, bodies cut mid-stream).
 */
export function createInMemoryUpstreams() {
  const upstreams = new Map<string, { table: Map<string, Route>; calls: RecordedCall[] }>();

  function add(routes: Record<string, Route> = {}): FakeUpstream {
    const origin = `http://upstream-${upstreams.size + 1}.test`;
    const state = { table: new Map(Object.entries(routes)), calls: [] as RecordedCall[] };
    upstreams.set(origin, state);
    return {
      url: origin,
      calls: state.calls,
      callsTo: (path) => state.calls.filter((call) => call.path === path),
      connections: () => 0,
      route(more) {
        for (const [path, route] of Object.entries(more)) state.table.set(path, route);
      },
      close: async () => {},
    };
  }

  const abortable = (ms: number | undefined, signal: AbortSignal | null | undefined) =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason ?? new DOMException("aborted", "AbortError"));
      };
      const timer =
        ms === undefined
          ? undefined
          : setTimeout(() => {
              signal?.removeEventListener("abort", onAbort);
              resolve();
            }, ms);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });

  async function fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const upstream = upstreams.get(url.origin);
    if (upstream === undefined) throw new TypeError(`fetch failed: no upstream at ${url.origin}`);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const call: RecordedCall = {
      method: init.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(typeof init.body === "string" ? { body: init.body } : {}),
    };
    upstream.calls.push(call);
    const route =
      upstream.table.get(decodeURIComponent(url.pathname)) ?? upstream.table.get(url.pathname);
    const reply: Reply =
      route === undefined
        ? { status: 404, json: { detail: "Not Found" } }
        : typeof route === "function"
          ? await route(call)
          : route;
    if (reply.delayMs) await abortable(reply.delayMs, init.signal);
    if (reply.hang) await abortable(undefined, init.signal);
    if (reply.reset) throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
    const text = reply.body ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
    const responseHeaders = {
      "content-type": reply.body === undefined ? "application/json" : "text/plain",
      ...reply.headers,
    };
    const status = reply.status ?? 200;
    if (reply.resetAfterBytes !== undefined) {
      const head = new TextEncoder().encode(text.slice(0, reply.resetAfterBytes));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(head);
          controller.error(new TypeError("terminated"));
        },
      });
      return new Response(body, { status, headers: responseHeaders });
    }
    return new Response(status === 204 || status === 304 ? null : text, {
      status,
      headers: responseHeaders,
    });
  }

  return { add, fetch };
}

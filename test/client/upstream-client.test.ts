import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createPooledFetch } from "../../src/runtime/node/undici-fetch.js";
import { createUpstreamClient } from "../../src/upstream/http-client.js";
import { UpstreamError } from "../../src/upstream/upstream-error.js";
import { useResources } from "../support/resources.js";

const { upstream } = useResources();
const pool = createPooledFetch(4);
const client = createUpstreamClient({ fetch: pool.fetch, maxBodyBytes: 1024 });
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});
afterAll(() => pool.close());

async function failureOf(url: string, timeoutMs = 1000): Promise<UpstreamError> {
  const error = await client
    .getJson(url, { signal: AbortSignal.timeout(timeoutMs) })
    .catch((e) => e);
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

/** A server that streams `total` bytes of JSON-ish text slowly and reports how much it sent. */
async function streamingServer(total: number, options: { gzip?: boolean } = {}) {
  const state = { sent: 0, aborted: false };
  const server = createServer((_req, res) => {
    if (options.gzip) {
      const body = gzipSync(Buffer.from(`"${"a".repeat(total)}"`));
      res.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": body.length,
      });
      res.end(body);
      state.sent = body.length;
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = "a".repeat(256);
    const timer = setInterval(() => {
      if (state.sent >= total) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(chunk);
      state.sent += chunk.length;
    }, 2);
    res.on("close", () => {
      clearInterval(timer);
      state.aborted = state.sent < total;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, state };
}

describe("upstream client", () => {
  it("parses a JSON body", async () => {
    const server = await upstream({ "/x": { json: { ok: [1, 2] } } });
    await expect(
      client.getJson(`${server.url}/x`, { signal: AbortSignal.timeout(1000) }),
    ).resolves.toEqual({ ok: [1, 2] });
  });

  it("stops reading a body that passes the size cap while it streams", async () => {
    const server = await streamingServer(1024 * 1024);
    const error = await failureOf(server.url);
    expect(error.kind).toBe("size");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.state.aborted).toBe(true);
    expect(server.state.sent).toBeLessThan(64 * 1024);
  });

  it("refuses a declared Content-Length over the cap without reading it", async () => {
    const server = await upstream({ "/big": { json: "x".repeat(5000) } });
    expect((await failureOf(`${server.url}/big`)).kind).toBe("size");
  });

  it("counts the cap after decompression: a small gzip body that inflates past it fails", async () => {
    const server = await streamingServer(100_000, { gzip: true });
    expect(server.state.sent).toBeLessThan(1024);
    const error = await failureOf(server.url);
    expect(error.kind).toBe("size");
  });

  it("follows a same-origin redirect", async () => {
    const server = await upstream({
      "/old": { status: 302, headers: { location: "/new" } },
      "/new": { json: ["moved"] },
    });
    await expect(
      client.getJson(`${server.url}/old`, { signal: AbortSignal.timeout(1000) }),
    ).resolves.toEqual(["moved"]);
  });

  it("refuses a redirect to another origin and never calls it", async () => {
    const other = await upstream({ "/steal": { json: [] } });
    const server = await upstream({
      "/old": { status: 307, headers: { location: `${other.url}/steal` } },
    });
    const error = await failureOf(`${server.url}/old`);
    expect(error.kind).toBe("redirect");
    expect(other.calls).toHaveLength(0);
  });

  it("types HTTP errors with their status and Retry-After", async () => {
    const server = await upstream({
      "/busy": { status: 429, headers: { "retry-after": "7" }, json: { detail: "slow down" } },
    });
    const error = await failureOf(`${server.url}/busy`);
    expect(error).toMatchObject({ kind: "http", status: 429, retryAfterMs: 7000 });
    expect(error.retryable).toBe(true);
  });

  it("reports a refused connection as a network error", async () => {
    const server = await upstream();
    const url = server.url;
    await server.close();
    expect((await failureOf(url)).kind).toBe("network");
  });

  it("aborts a hanging upstream at the signal and reports a timeout", async () => {
    const server = await upstream({ "/hang": { hang: true } });
    const started = Date.now();
    const error = await failureOf(`${server.url}/hang`, 100);
    expect(error.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("sends only GET requests", async () => {
    const server = await upstream({ "/x": { json: [] } });
    await client.getJson(`${server.url}/x`, { signal: AbortSignal.timeout(1000) });
    expect(server.calls.map((call) => call.method)).toEqual(["GET"]);
  });
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort } from "../support/free-port.js";
import { configFor, useResources } from "../support/resources.js";
import { openSse } from "../support/sse-client.js";
import { useProcessGroups } from "../support/use-processes.js";
import { startVibenBackend } from "../support/viben-backend.js";

const { upstream } = useResources();
// wrangler runs workerd and esbuild below it: the whole group is ended after each test.
const spawn = useProcessGroups();

/** Starts `npm run dev:worker` with `config` on a free port; resolves with its origin once it
 * answers `probe`, which it returns too. */
async function startDevWorker(config: string, probe = "/api/chat-list") {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, "../../scripts/dev-worker.mjs"),
      "--port",
      String(port),
      "--var",
      `CHAT_LIST_CONFIG_JSON:${config}`,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PATH: `${join(import.meta.dirname, "../../node_modules/.bin")}:${process.env.PATH}`,
      },
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const base = `http://127.0.0.1:${port}`;
  let response: Response | undefined;
  for (let attempt = 0; attempt < 120 && response === undefined; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (!output.includes("Ready on")) continue;
    response = await fetch(`${base}${probe}`).catch(() => undefined);
  }
  expect(response, `wrangler dev did not answer:\n${output}`).toBeDefined();
  return { base, response: response as Response };
}

describe("npm run dev:worker", () => {
  it("answers GET /api/chat-list from local workerd against loopback upstreams", async () => {
    const registry = await upstream({
      "/executors": {
        json: [
          {
            type: "CODEX",
            name: "Codex",
            is_available: true,
            session_count: 2,
            last_active: 1767225600000,
          },
        ],
      },
    });
    const config = JSON.stringify(configFor({ registry }, {}, 2000));
    const { response } = await startDevWorker(config);
    const body = await response?.json();
    expect(response?.status).toBe(200);
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "CODEX",
        session_count: 2,
        last_active: "2026-01-01T00:00:00.000Z",
      }),
    ]);
    expect(registry.callsTo("/executors")).toHaveLength(1);
  }, 60_000);

  it("passes HTTP, SSE and a WebSocket through to a loopback Viben, on real sockets", async () => {
    const backend = await startVibenBackend();
    try {
      const config = JSON.stringify({ proxy: { baseUrl: backend.url, timeoutMs: 5000 } });
      const { base, response } = await startDevWorker(config, "/api/agent/default");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ default_agent_id: "coder" });

      const streams = backend.eventStreams(1);
      const events = await openSse(`${base}/api/events`);
      await streams;
      backend.emitEvent("session_message", { n: 1 });
      await events.next((event) => event.event === "session_message", 10_000);
      events.close();

      const socket = new WebSocket(`${base.replace("http", "ws")}/ws`);
      const replies: string[] = [];
      const subscribed = new Promise<void>((resolve, reject) => {
        socket.on("message", (data) => {
          replies.push(String(data));
          if (String(data).includes("CronJobCompleted")) resolve();
          else if (String(data).includes("Subscribed"))
            backend.broadcast("cron", { type: "CronJobCompleted" });
        });
        socket.on("error", reject);
      });
      socket.on("open", () =>
        socket.send(JSON.stringify({ type: "Subscribe", data: { channels: ["cron"] } })),
      );
      await subscribed;
      expect(replies.map((reply) => JSON.parse(reply).type)).toEqual(["Subscribed", "Event"]);
      const closed = new Promise((resolve) => socket.on("close", resolve));
      socket.close(4000, "done");
      await closed;
      for (let wait = 0; wait < 200 && backend.sockets.closes.length === 0; wait++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(backend.sockets.closes[0]?.code).toBe(4000);
    } finally {
      await backend.close();
    }
  }, 90_000);
});

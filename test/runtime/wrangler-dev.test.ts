import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { configFor, useResources } from "../support/resources.js";
import { useProcessGroups } from "../support/use-processes.js";

const { upstream } = useResources();
// wrangler runs workerd and esbuild below it: the whole group is ended after each test.
const spawn = useProcessGroups();

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
    const port = await freePort();
    const config = JSON.stringify(configFor({ registry }, {}, 2000));
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
      response = await fetch(`${base}/api/chat-list`).catch(() => undefined);
    }
    expect(response, `wrangler dev did not answer:\n${output}`).toBeDefined();
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
});

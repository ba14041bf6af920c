import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useNodeEntry } from "../support/node-entry.js";
import { configFor, useResources } from "../support/resources.js";

const { upstream } = useResources();
const startEntry = useNodeEntry();

function writeConfig(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "chat-list-config-")), "config.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe("the Node entry (npm start)", () => {
  it("serves the merged list from CHAT_LIST_CONFIG, prints the URLs, and exits 0 on SIGTERM", async () => {
    const registry = await upstream({
      "/executors": {
        json: [
          {
            type: "GEMINI",
            name: "Gemini",
            is_available: true,
            session_count: 3,
            last_active: "2026-01-02T03:04:05Z",
          },
        ],
      },
    });
    const run = startEntry({ CHAT_LIST_CONFIG: writeConfig(configFor({ registry })) });
    const listUrl = await run.listening;
    expect(run.output().stdout).toMatch(/docs: http:\/\/127\.0\.0\.1:\d+\/docs/);

    const body = await (await fetch(listUrl)).json();
    expect(body.items).toEqual([
      expect.objectContaining({
        id: "GEMINI",
        session_count: 3,
        last_active: "2026-01-02T03:04:05.000Z",
      }),
    ]);

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    // One JSON log line per request, and none of them carries a header.
    const requestLines = run
      .output()
      .stdout.split("\n")
      .filter((line) => line.includes('"event":"request"'));
    expect(requestLines).toHaveLength(1);
    expect(JSON.parse(requestLines[0] as string)).toMatchObject({
      method: "GET",
      path: "/api/chat-list",
      status: 200,
    });
  });

  it("finishes an in-flight request before exiting on SIGTERM", async () => {
    const registry = await upstream({ "/executors": { delayMs: 300, json: [] } });
    const run = startEntry({
      CHAT_LIST_CONFIG_JSON: JSON.stringify(configFor({ registry }, {}, 2000)),
    });
    const listUrl = await run.listening;
    const pending = fetch(listUrl);
    await new Promise((resolve) => setTimeout(resolve, 100));
    run.child.kill("SIGTERM");
    expect((await pending).status).toBe(200);
    expect(await run.exited).toBe(0);
  });

  it("refuses a bad config at start with every bad field and a non-zero exit", async () => {
    const run = startEntry({
      CHAT_LIST_CONFIG_JSON: JSON.stringify({
        sources: [
          { kind: "portal", name: "bad name", baseUrl: "ftp://x" },
          { kind: "carrier_pigeon" },
        ],
        deadlineMs: "soon",
      }),
    });
    expect(await run.exited).toBe(1);
    const { stderr } = run.output();
    expect(stderr).toContain("sources.0.name");
    expect(stderr).toContain("sources.0.baseUrl");
    expect(stderr).toContain("sources.1.kind");
    expect(stderr).toContain("deadlineMs");
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  // The likeliest first error: `npm start` twice, or on Viben's port (DESIGN §11).
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["all addresses", "0.0.0.0"],
  ])(
    "says in one line which port is busy and which variable to change, and exits 1 (%s)",
    async (_, host) => {
      const busy: Server = createServer();
      await new Promise<void>((resolve) => busy.listen(0, host, resolve));
      const { port } = busy.address() as { port: number };
      try {
        const run = startEntry({
          PORT: String(port),
          HOST: host,
          CHAT_LIST_CONFIG_JSON: JSON.stringify({ sources: [] }),
        });
        expect(await run.exited).toBe(1);
        const { stdout, stderr } = run.output();
        const lines = stderr.split("\n").filter((line) => line.trim() !== "");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`port ${port}`);
        expect(lines[0]).toContain(host);
        expect(lines[0]).toMatch(/\bPORT\b/);
        expect(stderr).not.toMatch(/\n\s+at |EADDRINUSE.*\n.*Error/);
        expect(stdout).not.toContain("list: http://");
      } finally {
        await new Promise((resolve) => busy.close(resolve));
      }
    },
  );
});

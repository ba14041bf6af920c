import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./support/free-port.js";
import { endGroup, spawnGroup } from "./support/processes.js";

// Every `curl` in the README addressed to the gateway's default address, run as written (only
// the port changed) against `npm run demo` (issue 25, item 5): a newcomer who copies one gets an
// answer, not a 400, 404 or 503. The "In front of Viben" recipe's examples (port 18790, a
// gateway fronting a running Viben) need a Viben behind them: test/proxy/in-front-of-viben.test.ts
// replays them against a Viben-shaped backend.

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const README_ORIGIN = "http://127.0.0.1:8787";
const RECIPE_ORIGIN = "http://127.0.0.1:18790";

/** A curl command of the README's shell blocks (continuation lines joined), with the HTTP
 * status its comment shows when that is a problem (`"status":422`), else none. */
interface Example {
  command: string;
  problemStatus: number | null;
}

function curlExamples(): Example[] {
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? "");
  const examples: Example[] = [];
  for (const block of blocks)
    for (const line of block
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((text) => text.trim())) {
      if (line.startsWith("curl ")) examples.push({ command: line, problemStatus: null });
      const shown = /^# \{"type":"urn:chat-list:problem:.*"status":(\d{3})/.exec(line);
      const last = examples.at(-1);
      if (shown !== null && last !== undefined) last.problemStatus = Number(shown[1]);
    }
  return examples;
}

let demo: { origin: string; pgid: number } | undefined;

/** `npm run demo`'s script on a free port; resolves with its origin, or null if it exited. */
function startDemo(port: number): Promise<{ origin: string; pgid: number } | null> {
  const child = spawnGroup(
    process.execPath,
    [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/demo.ts")],
    { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "ignore"] },
  );
  return new Promise((resolve) => {
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      if (output.includes("docs: "))
        resolve({ origin: `http://127.0.0.1:${port}`, pgid: child.pid as number });
    });
    child.on("exit", () => resolve(null));
  });
}

beforeAll(async () => {
  // Another test may take the free port between our look and the demo's listen: try again then.
  for (let attempt = 0; attempt < 3 && demo === undefined; attempt++)
    demo = (await startDemo(await freePort())) ?? undefined;
  if (demo === undefined) throw new Error("the demo did not start");
}, 60_000);

afterAll(async () => {
  if (demo !== undefined) await endGroup(demo.pgid);
});

/** Runs one README command against the demo: its output, and the HTTP status curl saw. */
function run(command: string) {
  const against = command.replaceAll(README_ORIGIN, (demo as { origin: string }).origin);
  const result = spawnSync("sh", ["-c", `${against} --write-out '%{stderr}%{http_code}'`], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { exit: result.status, status: Number(result.stderr.trim()), body: result.stdout };
}

const allExamples = curlExamples();
const examples = allExamples.filter(({ command }) => command.includes(README_ORIGIN));
const hasCurl = spawnSync("curl", ["--version"], { stdio: "ignore" }).status === 0;

describe.skipIf(!hasCurl)("the README's examples against npm run demo", () => {
  it("has no curl example that is neither the default gateway's nor the Viben recipe's", () => {
    expect(
      allExamples.filter(
        ({ command }) => !command.includes(README_ORIGIN) && !command.includes(RECIPE_ORIGIN),
      ),
    ).toEqual([]);
  });

  it("finds the examples: the list offline and with a cookie, a mark, the writes, a traced list", () => {
    expect(examples.map(({ command }) => /\/api\/chat-list\S*/.exec(command)?.[0])).toEqual([
      "/api/chat-list?workspace_path=/home/ana/proj'",
      "/api/chat-list?workspace_path=/home/ana/proj'",
      "/api/chat-list/read?workspace_path=/home/ana/proj'",
      "/api/chat-list/group-chats'",
      "/api/chat-list/group-chats/gc-4300/messages'",
      "/api/chat-list/group-chats/gc-4242/messages'",
      "/api/chat-list?workspace_path=/home/ana/proj'",
    ]);
  });

  it("shows the offline list first, and says the one with a cookie reaches the public portal", () => {
    const [offline, withCookie] = examples.map(({ command }) => command);
    expect(offline).not.toMatch(/cookie/i);
    expect(withCookie).toMatch(/Cookie: psession=/);
    const before = readme.slice(0, readme.indexOf(withCookie as string));
    const comment = before.slice(before.lastIndexOf("```sh")).split("\n").slice(-3).join("\n");
    expect(comment).toMatch(/public portal/);
  });

  // In the README's order: a write example sends to the chat the one before it created.
  it.each(examples.map(({ command, problemStatus }, index) => [index + 1, command, problemStatus]))(
    "example %i answers as its comment shows (2xx unless it shows a problem): %s",
    (_, command, problemStatus) => {
      const { exit, status, body } = run(command as string);
      expect(exit).toBe(0);
      if (problemStatus === null)
        expect(status >= 200 && status < 300, `HTTP ${status}`).toBe(true);
      else expect(status).toBe(problemStatus);
      if (body.trim() !== "") expect(() => JSON.parse(body)).not.toThrow();
    },
  );

  it("marks the chats the read example names, as its comment shows", () => {
    const mark = examples.find(({ command }) => command.includes("/read"));
    const { status, body } = run(mark?.command as string);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({
      items: [
        { id: "gc-4242", unread_count: 0, last_read: expect.stringMatching(/^\d+-\d+$/) },
        { id: "gc-project-chat", unread_count: 0, last_read: expect.any(String) },
      ],
    });
  });

  it("lists every source as answered, the portal included, for the list with a cookie", () => {
    const { body } = run(examples[1]?.command as string);
    const list = JSON.parse(body) as { complete: boolean; sources: { status: string }[] };
    expect(list.complete).toBe(true);
    expect(list.sources.every((source) => source.status === "ok")).toBe(true);
  });
});

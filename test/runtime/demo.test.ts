import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { useProcessGroups } from "../support/use-processes.js";

const spawn = useProcessGroups();

describe("npm run demo", () => {
  it("serves, on PORT, a list with all three item types (Viben group chats too) from labelled sample data", async () => {
    const root = join(import.meta.dirname, "../..");
    /** Starts the demo on a free port; resolves with the list URL, or null if it exited first. */
    const start = (port: number) =>
      new Promise<string | null>((resolve) => {
        const child = spawn(
          process.execPath,
          [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/demo.ts")],
          {
            env: { ...process.env, PORT: String(port) },
            stdio: ["ignore", "pipe", "ignore"],
          },
        );
        let output = "";
        child.stdout?.on("data", (chunk) => {
          output += chunk;
          const match = /list: (http:\/\/\S+)/.exec(output);
          if (match?.[1] && output.includes("docs: ")) {
            expect(output).toContain("SAMPLE DATA");
            expect(output).toContain(`docs: http://127.0.0.1:${port}/docs`);
            resolve(match[1]);
          }
        });
        child.on("exit", () => resolve(null));
      });
    // Another test may take the free port between our look and the demo's listen: try again then.
    let listUrl: string | null = null;
    for (let attempt = 0; attempt < 3 && listUrl === null; attempt++)
      listUrl = await start(await freePort());
    if (listUrl === null) throw new Error("the demo did not start");
    const body = (await (await fetch(listUrl)).json()) as {
      items: { type: string; name: string; source_name: string; unread_count?: number | null }[];
      complete: boolean;
    };
    expect(new Set(body.items.map((item) => item.type))).toEqual(
      new Set(["group_chat", "executor", "agent"]),
    );
    expect(body.complete).toBe(true);
    // Viben group chats beside the portal's, with unread badges: the workspace's own from sample
    // files (read markers apply), two global ones from the sample store.
    const vibenChats = body.items.filter((item) => /group-chats$/.test(item.source_name));
    expect(vibenChats.map((item) => [item.name, item.source_name, item.unread_count])).toEqual([
      ["Sample · Project discussion", "sample-local-group-chats", 3],
      ["Sample · Release crew", "sample-viben-group-chats", 12],
      ["Sample · Retro notes", "sample-viben-group-chats", 0],
    ]);
    expect(
      body.items
        .filter((item) => item.type !== "executor")
        .every((item) => item.name.startsWith("Sample")),
    ).toBe(true);

    // The README's write examples, run as written (on the demo's port), answer what it shows.
    const port = new URL(listUrl).port;
    for (const { command, expected } of readmeWriteExamples()) {
      const { stdout } = await promisify(execFile)("sh", [
        "-c",
        command.replaceAll("127.0.0.1:8787", `127.0.0.1:${port}`),
      ]);
      expect(stdout).toMatch(expected);
    }
    const after = (await (await fetch(listUrl)).json()) as typeof body;
    expect(after.items[0]).toMatchObject({ name: "Sample · launch-plan", unread_count: 0 });
  }, 30_000);
});

/** The curl commands of the README's "Writes" section, each with the answer its comment shows
 * (`…` for what varies, any stream id for the one shown). */
function readmeWriteExamples() {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Writes"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const examples: Array<{ command: string; expected: RegExp }> = [];
  let command = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("# ")) {
      const pattern = line
        .slice(2)
        .split("…")
        .map((part) =>
          part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\d{10,}-\d+/g, "\\d+-\\d+"),
        )
        .join(".*");
      examples.push({ command, expected: new RegExp(`^${pattern}`) });
      command = "";
    } else if (line.trim() !== "") command += `${line}\n`;
  }
  expect(examples.length).toBe(3);
  return examples;
}

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach } from "vitest";

const tsxCli = join(import.meta.dirname, "../../node_modules/tsx/dist/cli.mjs");
const entry = join(import.meta.dirname, "../../src/runtime/node.ts");

/** Starts the Node entry (as `npm start` does) in a child process; kills leftovers after each test. */
export function useNodeEntry() {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });
  return (env: Record<string, string>) => startEntry(env, children);
}

/** Runs the Node entry as `npm start` does, on a free port; resolves with the list URL. */
function startEntry(env: Record<string, string>, children: ChildProcess[]) {
  const child = spawn(process.execPath, [tsxCli, entry], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", () => {
      const match = /list: (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  listening.catch(() => {}); // awaited only by tests that expect the server to start
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

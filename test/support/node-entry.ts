import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useProcessGroups } from "./use-processes.js";

const tsxCli = join(import.meta.dirname, "../../node_modules/tsx/dist/cli.mjs");
const entry = join(import.meta.dirname, "../../src/runtime/node.ts");

type Spawn = ReturnType<typeof useProcessGroups>;

/**
 * Starts the Node entry (as `npm start` does) in a child process; after each test it ends that
 * process and everything it started (the tsx CLI runs the gateway in a child of its own).
 */
export function useNodeEntry() {
  const spawn = useProcessGroups();
  return (env: Record<string, string>) => startEntry(env, spawn);
}

/** Runs the Node entry as `npm start` does, on a free port; resolves with the list URL. */
function startEntry(env: Record<string, string>, spawn: Spawn) {
  // Read markers go to a SQLite file under XDG_STATE_HOME: a fresh one per run, not the user's.
  const state = mkdtempSync(join(tmpdir(), "chat-list-state-"));
  const child: ChildProcess = spawn(process.execPath, [tsxCli, entry], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", XDG_STATE_HOME: state, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
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

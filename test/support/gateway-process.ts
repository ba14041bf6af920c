import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { buildIfStale, SERVER } from "../../scripts/build.mjs";
import { descendants } from "./process-tree.js";
import { endGroup, spawnGroup } from "./processes.js";

const tsxCli = join(import.meta.dirname, "../../node_modules/tsx/dist/cli.mjs");
const entry = join(import.meta.dirname, "../../src/runtime/node.ts");

export interface GatewayProcess {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The Node process that serves (the tsx CLI runs it as its child). */
  pid: number;
  exited: Promise<number | null>;
  output(): string;
  /** Signals the serving process itself. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts the Node entry (as `npm start` runs it) on a free loopback port, for a whole test file:
 * its process group is ended after the file's tests, passed or failed.
 */
export function useGatewayProcesses() {
  const groups: number[] = [];
  afterAll(async () => {
    await Promise.all(groups.splice(0).map((pgid) => endGroup(pgid)));
  });
  return async function start(
    env: Record<string, string>,
    options: { built?: { nodeArgs: string[] } } = {},
  ): Promise<GatewayProcess> {
    const state = mkdtempSync(join(tmpdir(), "chat-list-state-"));
    // The built gateway (dist/node/server.mjs, as npm start runs it) in one Node process with
    // the given flags (a heap limit, say); else the sources under tsx, as a child of its CLI.
    if (options.built !== undefined) await buildIfStale();
    const args =
      options.built === undefined ? [tsxCli, entry] : [...options.built.nodeArgs, SERVER];
    const child = spawnGroup(process.execPath, args, {
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", XDG_STATE_HOME: state, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) groups.push(child.pid);
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    const origin = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", () => {
        const match = /chat-list gateway on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const serving =
      options.built === undefined
        ? descendants(child.pid as number).find((one) =>
            one.args.some((arg) => arg.endsWith("runtime/node.ts")),
          )
        : { pid: child.pid as number };
    if (serving === undefined) throw new Error("the serving process was not found");
    return {
      origin,
      pid: serving.pid,
      exited,
      output: () => output,
      signal: (signal) => process.kill(serving.pid, signal),
    };
  };
}

/** The sockets a process holds open now (listening ones included), from /proc. */
export function socketsOf(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/** A process's resident memory now, in bytes. */
export function rssOf(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(line?.[1] ?? 0) * 1024;
}

/** Resolves once `check` holds, polling; rejects with `what` after `ms`. */
export async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One request on a connection of its own, closed after the answer: no keep-alive socket is
 * left in the gateway to be mistaken for a leak. Headers are sent exactly as given. */
export function oneShot(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? "GET",
        headers: init.headers,
        agent: new Agent({ keepAlive: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

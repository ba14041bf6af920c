// A throwaway PostgreSQL cluster for tests: initdb in a temp directory, a free loopback port,
// trust auth on loopback, fsync off. As root (CI, this machine) the server runs as the
// `postgres` user, since initdb refuses root. Everything is removed by destroy(); as a last
// resort, when a run dies before its teardown, by an exit hook, or (killed by a signal, which
// runs no exit hook) by a watchdog shell that outlives this process.
import { execFile, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

export interface PostgresServer {
  /** A superuser URL for the `postgres` database on 127.0.0.1. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown: connections are closed), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

/** Why PostgreSQL cannot run here (missing binaries, no user to run it as, failed start). */
export class PostgresUnavailable extends Error {}

/** The directory holding initdb, pg_ctl and postgres: CHAT_LIST_PG_BINDIR when set (an empty or
 * missing directory means "no PostgreSQL"), else Debian's newest /usr/lib/postgresql/N/bin,
 * else the PATH. */
export function findPostgresBinDir(env = process.env): string {
  const has = (dir: string) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"));
  if (env.CHAT_LIST_PG_BINDIR !== undefined) {
    if (has(env.CHAT_LIST_PG_BINDIR)) return env.CHAT_LIST_PG_BINDIR;
    throw new PostgresUnavailable(
      `no initdb/pg_ctl in CHAT_LIST_PG_BINDIR=${env.CHAT_LIST_PG_BINDIR}`,
    );
  }
  const debian = "/usr/lib/postgresql";
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => has(join(debian, v, "bin")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return join(debian, versions[0], "bin");
  const onPath = (env.PATH ?? "").split(delimiter).find((dir) => dir !== "" && has(dir));
  if (onPath !== undefined) return onPath;
  throw new PostgresUnavailable(
    "PostgreSQL server binaries not found (no initdb in /usr/lib/postgresql/*/bin or on PATH)",
  );
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new PostgresUnavailable(
      "running as root and there is no `postgres` user to run initdb as",
    );
  }
}

function tail(text: string, lines = 15): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** Waits for this process to end, then kills the server and removes its directory. */
function startWatchdog(dir: string, data: string) {
  const script = `
    while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
    [ -f "$1/postmaster.pid" ] && kill -KILL "$(head -n 1 "$1/postmaster.pid")" 2>/dev/null
    rm -rf "$0"`;
  const child = spawn("sh", ["-c", script, dir, data], { detached: true, stdio: "ignore" });
  child.unref();
  return { kill: () => child.kill("SIGKILL") };
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = findPostgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await postgresUser() : undefined;
  // As root, every server command runs as the postgres user; otherwise as ourselves.
  const exec = (tool: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args])
      : run(join(bin, tool), args);

  const dir = mkdtempSync(join(tmpdir(), "chat-list-pg-"));
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  let pid: number | undefined;
  const lastResort = () => {
    if (pid !== undefined) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", lastResort);
  const watchdog = startWatchdog(dir, data);
  const fail = (what: string, error: unknown): never => {
    lastResort();
    process.off("exit", lastResort);
    watchdog.kill();
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    const logText = existsSync(log) ? readFileSync(log, "utf8") : "";
    throw new PostgresUnavailable(`${what}: ${tail(`${stderr}\n${logText}`)}`);
  };

  try {
    await exec("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C",
    ]);
  } catch (error) {
    fail("initdb failed", error);
  }

  // Settings on the command line, so a restart after stop() uses the same ones.
  let port = 0;
  const start = async () => {
    const options = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
      "-c max_connections=60",
    ].join(" ");
    await exec("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "30", "-o", options, "start"]);
    pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  };
  // A free port can be taken between the check and the bind: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt === 2) fail("the server did not start", error);
    }
  }

  const stop = async (mode: "fast" | "immediate") => {
    if (pid === undefined) return;
    await exec("pg_ctl", ["-D", data, "-w", "-t", "30", "-m", mode, "stop"]);
    pid = undefined;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => stop("fast"),
    start,
    async destroy() {
      try {
        await stop("immediate");
      } finally {
        lastResort();
        process.off("exit", lastResort);
        watchdog.kill();
      }
    },
  };
}

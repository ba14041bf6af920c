#!/usr/bin/env node
// Runs a command (a node_modules/.bin tool or a .js/.ts file) under Node >= 22.
//
//   node scripts/node22.mjs <command> [args...]
//
// The project targets Node >= 22.12: vitest 5, undici 8 and wrangler refuse older ones. When the
// running node is older, this fetches the `node` package for Node 22 from the npm registry once
// (into a per-user cache), says so in one line, and runs the command with that node first on
// PATH. On Node 22 or newer it just runs the command. Plain JavaScript on purpose: it must run
// on the old node it replaces.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { constants, homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MIN_MAJOR = 22;
const NODE_PACKAGE = "node@22.23.3";
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function cacheRoot() {
  if (process.env.CHAT_LIST_NODE_CACHE) return process.env.CHAT_LIST_NODE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "chat-list-gateway");
}

/** The bin directory of a Node 22 from the npm registry, installed on first use. */
function node22BinDir() {
  const target = join(cacheRoot(), NODE_PACKAGE);
  const bin = join(target, "node_modules", ".bin");
  if (existsSync(join(bin, "node"))) return bin;
  mkdirSync(cacheRoot(), { recursive: true });
  // Install beside the target and rename, so concurrent first runs never see half an install.
  const staging = mkdtempSync(`${target}.tmp-`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(
    npm,
    [
      "install",
      "--prefix",
      staging,
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      NODE_PACKAGE,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (result.status !== 0 || !existsSync(join(staging, "node_modules", ".bin", "node"))) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`node22: could not install ${NODE_PACKAGE} from the npm registry`);
    process.exit(1);
  }
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run got there first
  }
  return bin;
}

const major = Number(process.versions.node.split(".")[0]);

/** Whether this node is older than the project supports (then commands run under Node 22). */
export function needsNode22() {
  return major < MIN_MAJOR;
}

/**
 * Runs `command` under Node >= 22 as a child (with `extraEnv` added to its environment), passes
 * it the signals a supervisor sends, ends it when this process's parent dies, and exits with its
 * status.
 */
export function runCommand(command, args, extraEnv = {}) {
  const pathDirs = [join(projectRoot, "node_modules", ".bin"), process.env.PATH ?? ""];
  if (needsNode22()) {
    const bin = node22BinDir();
    console.error(
      `node22: Node ${process.version} is older than ${MIN_MAJOR}; running under ${NODE_PACKAGE} from the npm registry (${bin})`,
    );
    pathDirs.unshift(bin);
  } else {
    pathDirs.unshift(dirname(process.execPath));
  }
  const env = { ...process.env, ...extraEnv, PATH: pathDirs.join(delimiter) };

  // A script file runs under node (tsx for TypeScript); anything else is looked up on PATH.
  const [file, fileArgs] = /\.(c|m)?ts$/.test(command)
    ? ["tsx", [command, ...args]]
    : /\.(c|m)?js$/.test(command)
      ? ["node", [command, ...args]]
      : [command, args];

  const child = spawn(file, fileArgs, {
    stdio: "inherit",
    env,
    shell: process.platform === "win32",
  });
  // A supervisor signals only the process it started (npm forwards SIGINT and SIGTERM to this
  // one): pass them on, and exit when the command does, with its status.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.on(signal, () => child.kill(signal));
  // A parent killed outright (SIGKILL) sends nothing: it shows as a new ppid (init's, or a
  // subreaper's, which adopted us). Stop the command then, as SIGTERM would have.
  const parentPid = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(parentWatch);
    child.kill("SIGTERM");
  }, 500);
  parentWatch.unref(); // the watch alone never keeps the launcher alive
  child.on("error", (error) => {
    console.error(`node22: cannot run ${command}: ${error.message}`);
    process.exit(127);
  });
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error("usage: node scripts/node22.mjs <command> [args...]");
    process.exit(2);
  }
  runCommand(command, args);
}

#!/usr/bin/env node
// npm start: the gateway as compiled JavaScript (DESIGN §11). Builds dist/node/server.mjs when a
// source is newer than it, then serves — on Node 22 or newer in this very process (one Node
// process, signalled like any server); on an older node under Node 22 from the npm registry, as
// one child that this launcher passes signals to.
//
// Either way with Node's compile cache on (in Node's default place under the temporary
// directory): loading the server's dependencies is most of its start, and from the second start
// on V8 reuses their compiled code instead of compiling them again.
//
// Plain JavaScript on purpose: it must run on the old node it may replace.
import module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildIfStale, SERVER } from "./build.mjs";
import { needsNode22, runCommand } from "./node22.mjs";

await buildIfStale();
// The one process that serves stops with the process above it (DESIGN §11): npm here, or this
// launcher when it runs a child. The gateway watches its parent only when this variable names
// it, so `nohup node dist/node/server.mjs &` outlives the shell that started it.
if (needsNode22()) {
  process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), "node-compile-cache");
  runCommand(SERVER, process.argv.slice(2), { CHAT_LIST_WATCH_PARENT: String(process.pid) });
} else {
  process.env.CHAT_LIST_WATCH_PARENT = String(process.ppid);
  module.enableCompileCache?.();
  await import(pathToFileURL(SERVER).href);
}

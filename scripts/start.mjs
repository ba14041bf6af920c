#!/usr/bin/env node
// npm start: the gateway as compiled JavaScript (DESIGN §11). Builds dist/node/server.mjs when a
// source is newer than it, then serves — on Node 22 or newer in this very process (one Node
// process, signalled like any server); on an older node under Node 22 from the npm registry, as
// one child that this launcher passes signals to.
//
// Plain JavaScript on purpose: it must run on the old node it may replace.
import { pathToFileURL } from "node:url";
import { buildIfStale, SERVER } from "./build.mjs";
import { needsNode22, runCommand } from "./node22.mjs";

await buildIfStale();
if (needsNode22()) runCommand(SERVER, process.argv.slice(2));
else await import(pathToFileURL(SERVER).href);

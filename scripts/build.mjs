#!/usr/bin/env node
// Builds the Node gateway into one JavaScript file, dist/node/server.mjs, with esbuild: the
// project's own code bundled (dependencies stay in node_modules), so `npm start` runs compiled
// JavaScript in plain Node — no TypeScript loader, no extra process.
//
//   node scripts/build.mjs           build now
//   (imported) buildIfStale()        build only when a source is newer than the build
//
// Plain JavaScript on purpose: it runs on whatever node starts it, Node 20 included.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER = join(root, "dist", "node", "server.mjs");
const ENTRY = join(root, "src", "runtime", "node.ts");
// What the build is made from: every source file, and what decides dependency versions.
const INPUTS = [join(root, "src"), join(root, "package.json"), join(root, "package-lock.json")];

function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Whether dist/node/server.mjs is missing or older than any of its inputs. */
export function isStale() {
  if (!existsSync(SERVER)) return true;
  const built = statSync(SERVER).mtimeMs;
  return INPUTS.some((input) => existsSync(input) && newestMtime(input) > built);
}

export async function build() {
  const { build: esbuild, stop } = await import("esbuild");
  const started = performance.now();
  const result = await esbuild({
    entryPoints: { server: ENTRY },
    outdir: dirname(SERVER),
    // What is imported only when needed (the trace exporter, when OTEL_EXPORTER_OTLP_ENDPOINT
    // is set) stays in a chunk of its own, so its dependencies load only then.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    // Dependencies load from node_modules as they are (some are CommonJS, some read files
    // next to themselves); only the project's TypeScript is compiled and joined.
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    write: false,
  });
  // esbuild's service is a child process that would otherwise live as long as the gateway.
  await stop();
  // Each file is written beside itself and renamed into place, the entry last (chunks have
  // content-hashed names), so a gateway starting while another build runs never loads half a
  // file or a chunk that is not there yet.
  const files = [...result.outputFiles].sort(
    (a, b) => Number(a.path.startsWith(SERVER)) - Number(b.path.startsWith(SERVER)),
  );
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    const staging = `${file.path}.${process.pid}.tmp`;
    writeFileSync(staging, file.contents);
    renameSync(staging, file.path);
  }
  // Chunks of earlier builds (other hashes) are left over otherwise.
  const chunks = join(dirname(SERVER), "chunks");
  const written = new Set(files.map((file) => file.path));
  for (const name of existsSync(chunks) ? readdirSync(chunks) : [])
    if (!written.has(join(chunks, name))) rmSync(join(chunks, name), { force: true });
  return performance.now() - started;
}

/** Builds when the build is stale; says so in one line on stderr. */
export async function buildIfStale() {
  if (!isStale()) return false;
  const ms = await build();
  process.stderr.write(`build: dist/node/server.mjs in ${Math.round(ms)} ms\n`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ms = await build();
  console.log(`built dist/node/server.mjs in ${Math.round(ms)} ms`);
}

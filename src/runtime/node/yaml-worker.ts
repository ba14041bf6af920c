import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { parseYamlNow, type YamlParse, yamlRefusal } from "../../sources/local/yaml-text.js";

/** Texts up to this long are parsed on the event loop: a few milliseconds at worst. */
const INLINE_BYTES = 4 * 1024;
/** A parse that takes longer is given up: the worker is ended (and a new one started on the
 * next text) and the document refused. */
const PARSE_TIMEOUT_MS = 2000;

// The worker's whole program: plain CommonJS, given the path of the yaml package, so it works
// the same from the sources (tsx, tests) and from the built bundle. It runs the same guarded
// parse as yaml-text.ts, whose checks the caller has already made.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { parse } = require(workerData.yamlPath);
parentPort.on("message", ({ id, text }) => {
  let value;
  try { value = parse(text, { maxAliasCount: 50 }); } catch { value = undefined; }
  try { parentPort.postMessage({ id, value }); } catch { parentPort.postMessage({ id, value: undefined }); }
});
`;

/**
 * YAML parsed off the event loop (issue 22: a file a local user wrote must not freeze the
 * gateway for everyone): short texts inline, longer ones in one worker thread, each bounded in
 * time. The nesting and length checks run first, here, so a refused text costs no round trip.
 */
export function createYamlWorker(): YamlParse & { close(): Promise<void> } {
  const yamlPath = createRequire(import.meta.url).resolve("yaml");
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, (value: unknown) => void>();

  function endWorker(): void {
    const ending = worker;
    worker = undefined;
    for (const resolve of pending.values()) resolve(undefined);
    pending.clear();
    void ending?.terminate();
  }

  function started(): Worker {
    if (worker !== undefined) return worker;
    const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { yamlPath } });
    created.unref(); // an idle parser never keeps the process alive
    created.on("message", ({ id, value }: { id: number; value: unknown }) => {
      pending.get(id)?.(value);
      pending.delete(id);
    });
    created.on("error", () => {
      if (worker === created) endWorker();
    });
    worker = created;
    return created;
  }

  const parse = (async (text: string) => {
    if (yamlRefusal(text) !== null) return undefined;
    if (text.length <= INLINE_BYTES) return parseYamlNow(text);
    const id = nextId++;
    const target = started();
    return new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => {
        if (!pending.has(id)) return;
        // Whatever the worker is stuck in, it is stopped; texts waiting behind it are refused.
        if (worker === target) endWorker();
      }, PARSE_TIMEOUT_MS);
      timer.unref();
      pending.set(id, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
      target.postMessage({ id, text });
    });
  }) as YamlParse & { close(): Promise<void> };
  parse.close = async () => endWorker();
  return parse;
}

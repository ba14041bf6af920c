import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { DocsAssetReader } from "../../http/docs.js";

/** Reads the docs page's assets from the installed swagger-ui-dist package, once each. */
export function createDocsAssetReader(): DocsAssetReader {
  const directory = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const loaded = new Map<string, Promise<Uint8Array<ArrayBuffer> | null>>();
  return (name) => {
    let file = loaded.get(name);
    if (file === undefined) {
      file = readFile(join(directory, name)).then(
        (buffer) =>
          new Uint8Array(
            buffer.buffer.slice(
              buffer.byteOffset,
              buffer.byteOffset + buffer.byteLength,
            ) as ArrayBuffer,
          ),
        () => null,
      );
      loaded.set(name, file);
    }
    return file;
  };
}

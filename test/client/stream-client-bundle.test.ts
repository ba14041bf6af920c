import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// A browser team imports the stream client (issue 25, item 8): bundled for a browser as their
// bundler would, it must carry no zod (the gateway's schemas) and stay small.
const GZIP_BUDGET_BYTES = 5 * 1024;
const entry = join(import.meta.dirname, "../../examples/stream-client.ts");

describe("examples/stream-client.ts in a browser bundle", () => {
  it("is zod-free and at most 5 KiB gzip, its list order included", async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => /node_modules\/(zod|@hono)\//.test(input))).toEqual([]);
    // The list's own order comes along: the sort is the gateway's, not a copy.
    expect(inputs).toContain("src/core/sort.ts");
    const bundle = result.outputFiles[0]?.contents ?? new Uint8Array();
    const gzipBytes = gzipSync(bundle).length;
    expect(gzipBytes, `${(gzipBytes / 1024).toFixed(1)} KiB gzip`).toBeLessThanOrEqual(
      GZIP_BUDGET_BYTES,
    );
  });

  it("can be imported where there is no `process` (a browser)", async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    const code = new TextDecoder().decode(result.outputFiles[0]?.contents);
    // Evaluated with `process` hidden, as a page would: importing must not throw.
    const file = join(mkdtempSync(join(tmpdir(), "stream-client-")), "bundle.mjs");
    writeFileSync(file, `const process = undefined;\n${code}`);
    const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<
      string,
      unknown
    >;
    expect(typeof module.createLiveList).toBe("function");
  });
});

import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";
import { type Browser, chromium, type LaunchOptions } from "playwright-core";

// Chromium flags for a headless browser in a closed network: without the background-networking
// ones Chromium keeps dialling Google services, which this network refuses.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const root = join(import.meta.dirname, "../..");

/**
 * A headless Chromium; the caller closes it. Playwright gives every launch a fresh, empty
 * user-data directory (and removes it on close), so no state leaks between tests.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    ...options,
    headless: true,
    executablePath: await chromiumPath(),
    args: [...FLAGS, ...(options.args ?? [])],
  });
}

/**
 * The browser to run, in this order: `CHROMIUM_PATH`; the Chromium the `@sparticuz/chromium`
 * devDependency ships (so `npm ci` is all a machine needs); a system Chromium.
 */
export async function chromiumPath(): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  const packaged = await packagedChromium();
  if (packaged !== undefined) return packaged;
  const system = systemChromium();
  if (system !== undefined) return system;
  throw new Error(
    "no Chromium: run `npm ci` (the @sparticuz/chromium devDependency ships one), install a system chromium, or set CHROMIUM_PATH",
  );
}

/**
 * Unpacks the package's brotli-compressed Chromium once per version into node_modules/.cache.
 * Not the package's own executablePath(): that writes /tmp/chromium in place, so a second test
 * file launching meanwhile execs a half-written file (ETXTBSY, seen here), and it returns
 * whatever /tmp/chromium holds, of any version or owner. Unpacking into a staging directory
 * renamed into place makes the first finished copy win and nobody see half of one.
 */
async function packagedChromium(): Promise<string | undefined> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  } catch {
    return undefined; // not installed (e.g. npm ci --omit=dev)
  }
  const packageDir = join(dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
    version: string;
  };
  const cache = join(root, "node_modules/.cache/chat-list-chromium");
  const target = join(cache, version);
  const executable = join(target, "chromium");
  if (existsSync(executable)) return executable;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(cache, `${version}.tmp-`));
  try {
    await pipeline(
      createReadStream(join(packageDir, "bin/chromium.br")),
      createBrotliDecompress(),
      createWriteStream(join(staging, "chromium"), { mode: 0o755 }),
    );
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(executable)) throw error; // else another test unpacked it first
  }
  return executable;
}

function systemChromium(): string | undefined {
  const dirs = ["/usr/bin", ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  for (const dir of dirs)
    for (const name of ["chromium", "chromium-browser"]) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  return undefined;
}

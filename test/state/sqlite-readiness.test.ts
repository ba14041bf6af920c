import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createApp } from "../../src/http/app.js";
import { createSqliteReadMarkerStore } from "../../src/runtime/node/sqlite-read-markers.js";
import type { ReadMarkerStore } from "../../src/state/read-marker-store.js";

// Issue 22, finding 10: /readyz must say when marks cannot be stored, not only when the store
// cannot be read.

const root = mkdtempSync(join(tmpdir(), "chat-list-readyz-"));
let files = 0;
const opened: ReadMarkerStore[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  for (const cleanup of cleanups.splice(0)) cleanup();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A database with a few markers, written and closed (its WAL checkpointed into the file). */
async function databaseWithMarkers(): Promise<string> {
  const path = join(root, `case-${++files}`, "state.sqlite");
  const store = createSqliteReadMarkerStore({ path });
  const entries = Array.from({ length: 200 }, (_, index) => ({
    itemId: `gc-${index}`,
    position: { ms: index + 1, seq: 0 },
  }));
  await store.advance("local", entries);
  await store.close();
  return path;
}

async function readyz(path: string) {
  const store = createSqliteReadMarkerStore({ path });
  opened.push(store);
  const app = createApp({
    config: parseConfig({ sources: [] }),
    fetch: () => Promise.reject(new Error("no upstream")),
    readMarkers: store,
  });
  const response = await app.request("/readyz");
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Makes the file read-only for this process: by its mode, or, for root (whom modes do not
 * stop), with the immutable attribute. Undefined when neither is possible here.
 */
function makeReadOnly(path: string): string | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o400);
    cleanups.push(() => chmodSync(path, 0o600));
    return undefined;
  }
  const set = spawnSync("chattr", ["+i", path]);
  if (set.status !== 0) return "running as root, and chattr +i is not available here";
  cleanups.push(() => spawnSync("chattr", ["-i", path]));
  return undefined;
}

describe("GET /readyz with a SQLite store", () => {
  it("is 200 with a store that can store a marker", async () => {
    const { status, body } = await readyz(await databaseWithMarkers());
    expect(status).toBe(200);
    expect(body.state).toMatchObject({ kind: "sqlite", reachable: true, error: null });
  });

  it("is 503 with the reason when the database is read-only", async (t) => {
    const path = await databaseWithMarkers();
    const skip = makeReadOnly(path);
    if (skip !== undefined) return t.skip(skip);
    const { status, body } = await readyz(path);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: "unready",
      state: { kind: "sqlite", reachable: false, error: "the database is read-only" },
    });
  });

  it("is 503 with the reason when the markers' pages are corrupt", async () => {
    const path = await databaseWithMarkers();
    // Page 2 (bytes 4096-8191 at SQLite's default page size) is the markers table's root.
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096);
    closeSync(fd);
    const { status, body } = await readyz(path);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: "unready",
      state: { kind: "sqlite", reachable: false, error: "the database file is corrupt" },
    });
  });
});

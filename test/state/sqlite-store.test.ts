import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createSqliteReadMarkerStore,
  defaultSqliteStatePath,
} from "../../src/runtime/node/sqlite-read-markers.js";
import { maxPosition } from "../../src/state/positions.js";
import { StoreUnavailableError } from "../../src/state/read-marker-store.js";
import { randomPositions } from "../../src/state/store-contract-helpers.js";
import { describeStoreContract } from "../contract/store-contract-runner.js";

const root = mkdtempSync(join(tmpdir(), "chat-list-sqlite-"));
let files = 0;
const newPath = () => join(root, `case-${++files}`, "state.sqlite");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStoreContract({
  name: "sqlite",
  async create() {
    const path = newPath();
    return {
      store: createSqliteReadMarkerStore({ path }),
      reopen: async () => createSqliteReadMarkerStore({ path }),
    };
  },
});

describe("the sqlite store's file", () => {
  it("lives under XDG_STATE_HOME when it is absolute, else under ~/.local/state", () => {
    const file = "chat-list-gateway/state.sqlite";
    expect(defaultSqliteStatePath({ XDG_STATE_HOME: "/var/x" }, "/home/ana")).toBe(
      `/var/x/${file}`,
    );
    expect(defaultSqliteStatePath({ XDG_STATE_HOME: "rel" }, "/home/ana")).toBe(
      `/home/ana/.local/state/${file}`,
    );
    expect(defaultSqliteStatePath({}, "/home/ana")).toBe(`/home/ana/.local/state/${file}`);
  });

  it("creates its directory private to the user, in WAL mode", async () => {
    const path = newPath();
    const store = createSqliteReadMarkerStore({ path });
    await store.check();
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    await store.advance("local", [{ itemId: "gc-1", position: { ms: 1, seq: 0 } }]);
    expect(statSync(`${path}-wal`).isFile()).toBe(true);
    await store.close();
  });

  it("creates the database, its -wal and -shm 0600 where the directory already existed 0755", async () => {
    const dir = join(root, `shared-${++files}`);
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const path = join(dir, "state.sqlite");
    const store = createSqliteReadMarkerStore({ path });
    await store.advance("local", [{ itemId: "gc-1", position: { ms: 1, seq: 0 } }]);
    for (const file of [path, `${path}-wal`, `${path}-shm`])
      expect((statSync(file).mode & 0o777).toString(8), file).toBe("600");
    // The directory was there: left as it was.
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    await store.close();
  });

  it("makes the files of an earlier run private", async () => {
    const dir = join(root, `earlier-${++files}`);
    mkdirSync(dir, { mode: 0o755 });
    const path = join(dir, "state.sqlite");
    const first = createSqliteReadMarkerStore({ path });
    await first.advance("local", [{ itemId: "gc-1", position: { ms: 1, seq: 0 } }]);
    await first.close();
    chmodSync(path, 0o644);
    const store = createSqliteReadMarkerStore({ path });
    expect(await store.read("local", ["gc-1"])).toEqual(new Map([["gc-1", { ms: 1, seq: 0 }]]));
    await store.advance("local", [{ itemId: "gc-1", position: { ms: 2, seq: 0 } }]);
    for (const file of [path, `${path}-wal`, `${path}-shm`])
      expect((statSync(file).mode & 0o777).toString(8), file).toBe("600");
    await store.close();
  });

  it("rejects with StoreUnavailableError when the file cannot be opened, and opens it once it can", async () => {
    const blocker = join(root, `blocker-${++files}`);
    const path = join(blocker, "state.sqlite");
    // A file where the directory should be: mkdir fails until it is removed.
    writeFileSync(blocker, "");
    const store = createSqliteReadMarkerStore({ path });
    await expect(store.check()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.read("local", ["a"])).rejects.toBeInstanceOf(StoreUnavailableError);
    rmSync(blocker);
    await store.check();
    expect(await store.read("local", ["a"])).toEqual(new Map());
    await store.close();
  });
});

describe("two processes on one sqlite file", () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    // Each child leads its own process group; kill the group so nothing it started outlives it.
    for (const child of children.splice(0))
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }
  });

  function startChild(path: string, identity: string, count: number, seed: number) {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(import.meta.dirname, "sqlite-advance-child.ts"),
        path,
        identity,
        String(count),
        String(seed),
      ],
      { cwd: join(import.meta.dirname, "../.."), detached: true, stdio: ["pipe", "pipe", "pipe"] },
    );
    children.push(child);
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      err += chunk;
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", () => out.includes("ready") && resolve());
      child.on("exit", () => reject(new Error(`child exited before ready: ${err}`)));
    });
    const done = new Promise<string>((resolve, reject) => {
      child.on("exit", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`child failed (${code}): ${err}`)),
      );
    });
    return { child, ready, done };
  }

  /** One race on a new file: both children start at one moment; returns whether their runs
   * overlapped in time, after checking that the marker ended at the maximum. */
  async function race(seeds: [number, number]): Promise<boolean> {
    const path = newPath();
    const identity = "portal:42";
    const runs = seeds.map((seed) => startChild(path, identity, 1000, seed));
    await Promise.all(runs.map((run) => run.ready));
    const go = `go ${Date.now() + 100}\n`;
    for (const run of runs) run.child.stdin?.end(go);
    const spans = (await Promise.all(runs.map((run) => run.done))).map(
      (out) =>
        JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { startedAt: number; endedAt: number },
    );
    const store = createSqliteReadMarkerStore({ path });
    const markers = await store.read(identity, ["gc-1"]);
    await store.close();
    const sent = seeds.flatMap((seed) => randomPositions(1000, seed));
    expect(markers.get("gc-1")).toEqual(sent.reduce(maxPosition));
    const [a, b] = spans as [(typeof spans)[0], (typeof spans)[0]];
    return a.startedAt < b.endedAt && b.startedAt < a.endedAt;
  }

  it("advancing one marker with 1,000 random positions each ends at the maximum", async () => {
    // A run takes tens of milliseconds, so a scheduler hiccup can keep the two apart; race again
    // (each race checks the maximum) until one race really interleaved their transactions.
    let overlapped = false;
    for (let attempt = 0; attempt < 3 && !overlapped; attempt++)
      overlapped = await race([2 * attempt + 1, 2 * attempt + 2]);
    expect(overlapped, "the two processes never ran at the same time").toBe(true);
  }, 60_000);
});

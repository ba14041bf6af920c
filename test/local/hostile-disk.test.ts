import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/core/clock.js";
import { createApp } from "../../src/http/app.js";
import { createDiskWatchers } from "../../src/live/disk-watchers.js";
import { nodeFs } from "../../src/runtime/node/node-fs.js";
import { createYamlWorker } from "../../src/runtime/node/yaml-worker.js";
import { createDirScanner } from "../../src/sources/local/dir-scanner.js";
import { createLocalSourceFactory } from "../../src/sources/local/index.js";
import { parseVibenDocument } from "../../src/sources/local/viben-documents.js";
import { parseYamlHere, yamlRefusal } from "../../src/sources/local/yaml-text.js";
import { tempTree } from "../support/home-fixture.js";
import { recordingFs } from "./recording-fs.js";

// Issue 22, findings 1–4, 12 and 13: what a second local user can put in a folder they own —
// which `workspace_path` may name — must cost the gateway a bounded amount, for that folder alone.

const limits = { maxFilesPerScan: 50_000, maxBytesPerFile: 256 * 1024, fileRefreshMs: 5000 };

describe("a FIFO where a file was", () => {
  it("is refused at once, without waiting for a writer", async () => {
    const tree = tempTree();
    const fifo = tree.path("config.yaml");
    execFileSync("mkfifo", [fifo]);
    // Before: open() blocked a thread of libuv's pool until a writer came (never).
    expect(await nodeFs.readHead(fifo, 1024)).toBeNull();
    expect(await nodeFs.readRange(fifo, 0, 1024)).toBeNull();
  });

  it("is refused behind a symlink too, which is never followed by the read", async () => {
    const tree = tempTree();
    tree.write("real.yaml", "name: x\n");
    const link = tree.path("link.yaml");
    symlinkSync(tree.path("real.yaml"), link);
    expect(await nodeFs.readHead(link, 1024)).toBeNull();
    expect(await nodeFs.readHead(tree.path("real.yaml"), 1024)).toBe("name: x\n");
  });
});

describe("the scan caches", () => {
  it("hold one copy of a file however many hard links and symlinked folders name it", async () => {
    const tree = tempTree();
    const body = "x".repeat(64 * 1024);
    const original = tree.write("store/original.md", body);
    for (let index = 0; index < 50; index++)
      linkSync(original, tree.path(`store/link-${index}.md`));
    const recording = recordingFs();
    const scanner = createDirScanner(recording.fs, systemClock);
    for (let name = 0; name < 5; name++) {
      const alias = tree.path(`alias-${name}`);
      symlinkSync(tree.path("store"), alias);
      const scan = scanner.scan(limits);
      const root = (await scan.root(alias)) as string;
      for (const entry of (await scan.list(alias, root)) ?? [])
        expect(await scan.head(join(alias, entry.name), root)).toBe(body);
    }
    // Before: one read (and one cached copy) per path: 51 files × 5 folder names.
    expect(recording.filesRead()).toHaveLength(1);
  });

  it("stay within their byte bounds whatever the files hold", async () => {
    const tree = tempTree();
    for (let index = 0; index < 40; index++)
      tree.write(`big/${index}.md`, `${index}`.repeat(100_000));
    const scanner = createDirScanner(nodeFs, systemClock, {
      dirBytes: 64 * 1024,
      headBytes: 1024 * 1024,
      summaryEntries: 100,
    });
    const recording = { reads: 0 };
    for (let round = 0; round < 2; round++) {
      const scan = scanner.scan(limits);
      const root = (await scan.root(tree.path("big"))) as string;
      for (const entry of (await scan.list(tree.path("big"), root)) ?? []) {
        await scan.head(tree.path(`big/${entry.name}`), root);
      }
      recording.reads += scan.counters.filesRead;
    }
    // 40 files of ~200 KB in a 1 MiB cache: the second round reads them again (none was kept
    // past the bound) — a count bound of 100,000 kept all 80 MB.
    expect(recording.reads).toBeGreaterThan(40);
  });
});

describe("maxFilesPerScan", () => {
  it("is spent before any per-entry work: symlinks past it are never resolved", async () => {
    const tree = tempTree();
    tree.dir("targets/t");
    tree.dir("links");
    for (let index = 0; index < 3000; index++)
      symlinkSync(tree.path("targets/t"), tree.path(`links/l-${index}`));
    const recording = recordingFs();
    const scanner = createDirScanner(recording.fs, systemClock);
    const scan = scanner.scan({ ...limits, maxFilesPerScan: 100 });
    const root = (await scan.root(tree.root)) as string;
    const listed = await scan.list(tree.path("links"), root);
    expect(listed).toHaveLength(100);
    // Before: every one of the 3,000 symlinks was resolved, then the listing cut to 100.
    const resolved = recording.calls.filter((call) => call.method === "realPath");
    expect(resolved.length).toBeLessThanOrEqual(101);
    expect(scan.cutNote()).toMatch(/maxFilesPerScan \(100\) reached: 1 folder not read in full/);
    // Nor was the listing read past the bound (one entry more, to know there are more).
    expect(
      recording.calls.filter((call) => call.method === "readDir" && call.path.endsWith("links")),
    ).toEqual([expect.objectContaining({ maxEntries: 101 })]);
  });

  it("names the cut folder in the source's note", async () => {
    const tree = tempTree();
    for (let index = 0; index < 30; index++)
      tree.write(`ws/.viben/agents/agent-${index}/config.yaml`, `name: Agent ${index}\n`);
    const app = createApp({
      config: parseConfig({
        sources: [
          { kind: "local_agents", name: "agents", home: tree.path("home"), maxFilesPerScan: 10 },
        ],
      }),
      fetch: () => Promise.reject(new Error("no upstream")),
      local: createLocalSourceFactory({ fs: nodeFs, home: tree.path("home"), pathDirs: [] }),
    });
    const answer = await app.request(
      `/api/chat-list?workspace_path=${encodeURIComponent(tree.path("ws"))}`,
    );
    const body = (await answer.json()) as { sources: Array<{ note: string | null }> };
    expect(body.sources[0]?.note).toContain("maxFilesPerScan (10) reached");
    expect(body.sources[0]?.note).toContain(".viben/agents");
  });

  it("stops a scan whose request is gone", async () => {
    const tree = tempTree();
    tree.write("d/a.txt", "a");
    const scanner = createDirScanner(nodeFs, systemClock);
    const controller = new AbortController();
    const scan = scanner.scan(limits, controller.signal);
    const root = (await scan.root(tree.root)) as string;
    controller.abort();
    await expect(scan.list(tree.path("d"), root)).rejects.toThrow();
  });
});

describe("one workspace's failures", () => {
  it("open the circuit of that workspace only, not the source's for everyone", async () => {
    const tree = tempTree();
    const good = tree.dir("good");
    tree.write("good/.viben/agents/a/config.yaml", "name: A\n");
    const hostile = tree.dir("hostile");
    const fs = {
      ...nodeFs,
      // Every scan of the hostile workspace fails (as a scan that overruns its timeout does).
      async readDir(path: string) {
        if (path.startsWith(hostile)) throw new Error("too slow");
        return nodeFs.readDir(path);
      },
    };
    mkdirSync(join(hostile, ".viben/agents/b"), { recursive: true });
    const app = createApp({
      config: parseConfig({
        sources: [{ kind: "local_agents", name: "agents", home: tree.path("home") }],
        breaker: { failureThreshold: 2, cooldownMs: 60_000 },
        cache: { ttlMs: 0 },
      }),
      fetch: () => Promise.reject(new Error("no upstream")),
      local: createLocalSourceFactory({ fs, home: tree.path("home"), pathDirs: [] }),
    });
    const list = (workspace: string) =>
      app.request(`/api/chat-list?workspace_path=${encodeURIComponent(workspace)}`);
    for (let attempt = 0; attempt < 5; attempt++) expect((await list(hostile)).status).toBe(502);
    const answer = await list(good);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { sources: Array<{ status: string }>; items: unknown[] };
    expect(body.sources[0]?.status).toBe("ok");
    expect(body.items).toHaveLength(1);
  });
});

describe("YAML that nests deep or runs long", () => {
  it("is refused before the parser sees it, in milliseconds", async () => {
    const deep = "[".repeat(256 * 1024);
    const started = performance.now();
    expect(yamlRefusal("[".repeat(10_000))).toMatch(/nested deeper than 32/);
    expect(await parseVibenDocument(deep, parseYamlHere)).toBeUndefined();
    expect(await parseYamlHere(`${"- ".repeat(40)}a`)).toBeUndefined();
    expect(await parseYamlHere(`${"key: value\n".repeat(7000)}`)).toBeUndefined(); // 77 KB
    // Before: 2.5–4.3 s of parsing on the event loop for the first alone.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await parseYamlHere("a:\n  b:\n    - [1, {c: 2}]\n")).toEqual({
      a: { b: [[1, { c: 2 }]] },
    });
  });

  it("is parsed off the event loop on Node once it is long", async () => {
    const parse = createYamlWorker();
    try {
      const text = Array.from({ length: 2000 }, (_, index) => `key${index}: value ${index}`).join(
        "\n",
      );
      let ticks = 0;
      const ticking = setInterval(() => ticks++, 1);
      const value = (await parse(text)) as Record<string, string>;
      clearInterval(ticking);
      expect(value.key1999).toBe("value 1999");
      // The event loop kept turning while the worker parsed.
      expect(ticks).toBeGreaterThan(0);
      expect(await parse("[".repeat(100))).toBeUndefined();
    } finally {
      await parse.close();
    }
  });
});

describe("disk watches the gateway cannot have", () => {
  it("are logged once, with the fallback, when the system refuses them or a budget is spent", () => {
    const events: Array<Record<string, unknown>> = [];
    const logger = {
      info: (event: Record<string, unknown>) => events.push(event),
      warn: (event: Record<string, unknown>) => events.push(event),
      error: (event: Record<string, unknown>) => events.push(event),
    };
    let refuse = true;
    const watchers = createDiskWatchers({
      watch: () => {
        if (refuse) throw Object.assign(new Error("no watches left"), { code: "ENOSPC" });
        return () => {};
      },
      maxDirs: 2,
      maxDirsPerFeed: 10,
      debounceMs: 10,
      timers: { setTimeout, clearTimeout },
      logger: logger as never,
    });
    watchers.subscribe(["/a", "/b"], () => {});
    watchers.subscribe(["/a", "/b"], () => {});
    expect(events).toEqual([
      expect.objectContaining({
        event: "disk_watch_unavailable",
        reason: "the system refused a watch (ENOSPC)",
        fallback: "refresh loop",
      }),
    ]);
    refuse = false;
    watchers.subscribe(["/a", "/b", "/c"], () => {});
    expect(events.at(-1)).toMatchObject({
      event: "disk_watch_unavailable",
      reason: "the process watches 2 directories at most",
      unwatched: 1,
    });
  });
});

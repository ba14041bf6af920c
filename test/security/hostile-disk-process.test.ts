import { type ChildProcess, spawn } from "node:child_process";
import { linkSync, symlinkSync } from "node:fs";
import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayProcess, rssOf, useGatewayProcesses } from "../support/gateway-process.js";
import { tempTree } from "../support/home-fixture.js";

// Issue 22, findings 1–4, against the built gateway as a real process (dist/node/server.mjs, as
// `npm start` runs it), with a heap limit low enough that the old per-path, count-bounded caches
// crashed it within a few requests. A second local user owns a folder and may name it, or any
// symlink to it, as `workspace_path`.

const startGateway = useGatewayProcesses();
const built = { built: { nodeArgs: ["--max-old-space-size=256"] } };
const helpers: ChildProcess[] = [];
afterEach(() => {
  for (const helper of helpers.splice(0)) helper.kill("SIGKILL");
});

const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });

/** GET on a pooled connection; resolves with the status and how long it took. */
function get(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: keepAlive }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function listUrl(gateway: GatewayProcess, workspace: string) {
  return `${gateway.origin}/api/chat-list?workspace_path=${encodeURIComponent(workspace)}`;
}

/** /healthz every few ms while `work` runs: the event loop's answer times under that load. */
async function healthWhile(gateway: GatewayProcess, work: Promise<unknown>) {
  const times: number[] = [];
  let done = false;
  const probing = (async () => {
    while (!done) {
      times.push((await get(`${gateway.origin}/healthz`)).ms);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await work.finally(() => {
    done = true;
  });
  await probing;
  times.sort((a, b) => a - b);
  return { count: times.length, max: times.at(-1) ?? 0 };
}

/** Symlinked names of `target`, one fresh workspace path each. */
function aliases(tree: ReturnType<typeof tempTree>, target: string, count: number) {
  tree.dir("aliases");
  return Array.from({ length: count }, (_, index) => {
    const alias = tree.path(`aliases/ws-${index}`);
    symlinkSync(target, alias);
    return alias;
  });
}

describe("a hostile workspace against the built gateway", () => {
  it("keeps memory flat over hard links of a big file reached through fresh symlinked names", async () => {
    const tree = tempTree();
    const workspace = tree.dir("owned");
    const body = `---\nname: Agent\n---\n${"You are helpful. ".repeat(16 * 1024)}`; // ~256 KiB
    const original = tree.write("owned/.viben/agents/a-0/AGENTS.md", body);
    for (let index = 1; index < 300; index++) {
      tree.dir(`owned/.viben/agents/a-${index}`);
      linkSync(original, tree.path(`owned/.viben/agents/a-${index}/AGENTS.md`));
    }
    const gateway = await startGateway(
      {
        HOME: tree.path("home"),
        CHAT_LIST_CONFIG_JSON: JSON.stringify({
          sources: [{ kind: "local_agents", name: "agents", timeoutMs: 10_000 }],
          deadlineMs: 10_000,
        }),
      },
      built,
    );
    const first = await get(listUrl(gateway, workspace));
    expect(first.status).toBe(200);
    const rssBefore = rssOf(gateway.pid);
    // Before: +75 MB of cached text per new name, and a crash (heap limit) within a few.
    for (const alias of aliases(tree, workspace, 60))
      expect((await get(listUrl(gateway, alias))).status).toBe(200);
    const growth = rssOf(gateway.pid) - rssBefore;
    expect(growth).toBeLessThan(96 * 1024 * 1024);
  }, 120_000);

  it("answers /healthz while deeply nested YAML is requested, and refuses the YAML", async () => {
    const tree = tempTree();
    const workspace = tree.dir("owned");
    for (let chat = 0; chat < 4; chat++)
      tree.write(`owned/.viben/group-chats/chat-${chat}/config.yaml`, "[".repeat(256 * 1024));
    const gateway = await startGateway(
      {
        HOME: tree.path("home"),
        CHAT_LIST_CONFIG_JSON: JSON.stringify({
          sources: [{ kind: "local_group_chats", name: "chats", timeoutMs: 10_000 }],
          deadlineMs: 10_000,
        }),
      },
      built,
    );
    const names = aliases(tree, workspace, 10);
    const lists = (async () => {
      for (const alias of names) expect((await get(listUrl(gateway, alias))).status).toBe(200);
    })();
    const health = await healthWhile(gateway, lists);
    // Before: each file held the event loop for 2.5–4.3 s. The bound is generous (the point
    // is seconds against milliseconds) so that a busy machine does not fail it.
    expect(health.max).toBeLessThan(1000);
    expect(gateway.output()).toContain("local_group_chat_file_unreadable");
  }, 120_000);

  it("spends maxFilesPerScan before resolving a folder of symlinks, request after request", async () => {
    const tree = tempTree();
    const workspace = tree.dir("owned");
    tree.dir("owned/.viben/agents");
    tree.write("owned/target/config.yaml", "name: T\n");
    for (let index = 0; index < 20_000; index++)
      symlinkSync(tree.path("owned/target"), tree.path(`owned/.viben/agents/l-${index}`));
    const gateway = await startGateway(
      {
        HOME: tree.path("home"),
        CHAT_LIST_CONFIG_JSON: JSON.stringify({
          sources: [{ kind: "local_agents", name: "agents", maxFilesPerScan: 200 }],
        }),
      },
      built,
    );
    const names = aliases(tree, workspace, 20);
    const answers: number[] = [];
    const lists = (async () => {
      for (const alias of names) answers.push((await get(listUrl(gateway, alias))).status);
    })();
    const health = await healthWhile(gateway, lists);
    expect(answers.every((status) => status === 200)).toBe(true);
    expect(health.max).toBeLessThan(1000);
    // The next workspace is not refused by a circuit the others opened.
    const fresh = tree.dir("other");
    tree.write("other/.viben/agents/mine/config.yaml", "name: Mine\n");
    const own = await fetch(listUrl(gateway, fresh));
    const body = (await own.json()) as { sources: Array<{ status: string }>; items: unknown[] };
    expect(body.sources[0]?.status).toBe("ok");
  }, 120_000);

  it("keeps serving while files turn into FIFOs under it, and still stops on SIGTERM", async () => {
    const tree = tempTree();
    const workspace = tree.dir("owned");
    for (let chat = 0; chat < 6; chat++) {
      tree.write(`owned/.viben/group-chats/c-${chat}/config.yaml`, `{"name":"C${chat}"}`);
      tree.write(
        `owned/.viben/group-chats/c-${chat}/sessions/s/messages.ui.jsonl`,
        '{"id":"1","senderType":"agent","type":"text","timestamp":"2026-12-01T00:00:00Z"}\n',
      );
    }
    const gateway = await startGateway(
      {
        HOME: tree.path("home"),
        CHAT_LIST_CONFIG_JSON: JSON.stringify({
          sources: [{ kind: "local_group_chats", name: "chats", fileRefreshMs: 0 }],
          cache: { ttlMs: 0 },
        }),
      },
      built,
    );
    // The owner swaps each file for a FIFO and back, as fast as it can.
    const swapper = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs"), cp = require("node:child_process");
         const files = process.argv.slice(1);
         for (;;) for (const file of files) {
           try { cp.execFileSync("mkfifo", [file + ".fifo"]); fs.renameSync(file + ".fifo", file); } catch {}
           try { fs.writeFileSync(file + ".tmp", "{}"); fs.renameSync(file + ".tmp", file); } catch {}
         }`,
        ...Array.from({ length: 6 }, (_, chat) => [
          tree.path(`owned/.viben/group-chats/c-${chat}/config.yaml`),
          tree.path(`owned/.viben/group-chats/c-${chat}/sessions/s/messages.ui.jsonl`),
        ]).flat(),
      ],
      { stdio: "ignore" },
    );
    helpers.push(swapper);
    const names = aliases(tree, workspace, 200);
    for (let batch = 0; batch < names.length; batch += 8)
      await Promise.all(names.slice(batch, batch + 8).map((alias) => get(listUrl(gateway, alias))));
    swapper.kill("SIGKILL");
    // Every user's local reads still go through the file-system threads: a fresh workspace's
    // list is read from the disk, not timed out.
    const fresh = tree.dir("fresh");
    tree.write("fresh/.viben/group-chats/mine/config.yaml", '{"name":"Mine"}');
    const answer = await fetch(listUrl(gateway, fresh));
    const body = (await answer.json()) as { sources: Array<{ status: string }> };
    expect(body.sources[0]?.status).toBe("ok");
    gateway.signal("SIGTERM");
    const stoppedAt = Date.now();
    const code = await Promise.race([
      gateway.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running"), 15_000)),
    ]);
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
  }, 120_000);
});

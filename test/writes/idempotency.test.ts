import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakePortal } from "../support/fake-portal.js";
import { useNodeEntry } from "../support/node-entry.js";
import { endGroup } from "../support/processes.js";
import { useResources } from "../support/resources.js";
import { ciphertext, writesOf } from "../support/writes.js";

const { upstream, gateway } = useResources();
const startEntry = useNodeEntry();

const portalConfig = (url: string) => ({
  sources: [{ kind: "portal", name: "portal", baseUrl: url }],
});

async function setUp() {
  const portal = await startFakePortal(upstream);
  const gw = await gateway(portalConfig(portal.server.url));
  return { portal, gw, writes: writesOf(gw.url) };
}

const sends = (portal: Awaited<ReturnType<typeof startFakePortal>>) =>
  portal.writes().filter((call) => call.path.endsWith("/messages"));

describe("Idempotency-Key on writes", () => {
  it("answers the same key twice in sequence with one portal call and identical answers", async () => {
    const { portal, writes } = await setUp();
    const { content } = ciphertext();
    const first = await writes.send("gc-10", { content }, { psession: "ana-phone", key: "msg-1" });
    const second = await writes.send("gc-10", { content }, { psession: "ana-phone", key: "msg-1" });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await second.text()).toBe(await first.text());
    expect(sends(portal)).toHaveLength(1);

    // Another device of the same user, retrying the same request: the same answer again.
    const desktop = await writes.send(
      "gc-10",
      { content },
      { psession: "ana-desktop", key: "msg-1" },
    );
    expect(desktop.status).toBe(201);
    expect(sends(portal)).toHaveLength(1);
    // Another user's key of the same name is theirs.
    const bo = await writes.send("gc-10", { content }, { psession: "bo", key: "msg-1" });
    expect(bo.headers.get("idempotent-replayed")).toBeNull();
    expect(sends(portal)).toHaveLength(2);
  });

  it("answers a duplicate that arrives while the first is in flight with 409 request_in_progress", async () => {
    const { portal, writes } = await setUp();
    const { content } = ciphertext();
    const release = portal.hold();
    const first = writes.send("gc-10", { content }, { psession: "ana-phone", key: "msg-2" });
    await expect.poll(() => sends(portal).length).toBe(1);
    const duplicate = await writes.send(
      "gc-10",
      { content },
      { psession: "ana-phone", key: "msg-2" },
    );
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get("retry-after")).toBe("1");
    expect(await duplicate.json()).toMatchObject({ code: "request_in_progress" });
    release();
    expect((await first).status).toBe(201);
    expect(sends(portal)).toHaveLength(1);
    const retried = await writes.send(
      "gc-10",
      { content },
      { psession: "ana-phone", key: "msg-2" },
    );
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
  });

  it("refuses a key reused with another body, or for another chat, with 422 idempotency_key_reused", async () => {
    const { portal, writes } = await setUp();
    const one = ciphertext();
    const other = ciphertext();
    const body = (sent: { content: string }) => ({ content: sent.content });
    expect((await writes.send("gc-10", body(one), { psession: "bo", key: "k" })).status).toBe(201);
    const reused = await writes.send("gc-10", body(other), { psession: "bo", key: "k" });
    expect(reused.status).toBe(422);
    const problem = (await reused.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: "idempotency_key_reused" });
    expect(JSON.stringify(problem)).not.toContain(other.ct);
    const elsewhere = await writes.send("gc-20", body(one), { psession: "bo", key: "k" });
    expect(elsewhere.status).toBe(422);
    const created = await writes.createChat({ name: "team" }, { psession: "bo", key: "k" });
    expect(created.status).toBe(422);
    expect(sends(portal)).toHaveLength(1);
    expect(portal.writes()).toHaveLength(1);
  });

  it("keeps a refusal the portal would repeat, and asks again after one that may pass", async () => {
    const { portal, writes } = await setUp();
    const { content } = ciphertext();
    portal.refuse(() => ({ status: 403, json: { detail: "You are banned from this chat." } }));
    const banned = await writes.send("gc-10", { content }, { psession: "bo", key: "b" });
    expect(banned.status).toBe(403);
    const again = await writes.send("gc-10", { content }, { psession: "bo", key: "b" });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(await banned.text());
    expect(sends(portal)).toHaveLength(1);

    portal.refuse(() => ({ status: 503, json: { detail: "try later" } }));
    expect((await writes.send("gc-10", { content }, { psession: "bo", key: "c" })).status).toBe(
      502,
    );
    portal.refuse(undefined);
    const recovered = await writes.send("gc-10", { content }, { psession: "bo", key: "c" });
    expect(recovered.status).toBe(201);
    expect(sends(portal)).toHaveLength(3);
  });

  it("rejects a malformed key with 422 before any portal call", async () => {
    const { portal, writes } = await setUp();
    for (const key of ["has space", "x".repeat(65), "ünïcode", "a/b"]) {
      const response = await writes.createChat({ name: "team" }, { psession: "bo", key });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        code: "invalid_fields",
        errors: [{ parameter: "Idempotency-Key", in: "header" }],
      });
    }
    expect(portal.writes()).toHaveLength(0);
  });

  it("still answers a retry after the gateway restarts on its sqlite file", async () => {
    const portal = await startFakePortal(upstream);
    const state = mkdtempSync(join(tmpdir(), "chat-list-restart-"));
    const env = {
      CHAT_LIST_CONFIG_JSON: JSON.stringify(portalConfig(portal.server.url)),
      XDG_STATE_HOME: state,
    };
    const before = startEntry(env);
    const base = (await before.listening).replace(/\/api\/chat-list$/, "");
    const { content } = ciphertext();
    const first = await writesOf(base).send(
      "gc-10",
      { content },
      { psession: "bo", key: "restart-1" },
    );
    expect(first.status).toBe(201);
    const answered = await first.text();
    await endGroup(before.child.pid as number);
    await before.exited;

    const after = startEntry(env);
    const again = (await after.listening).replace(/\/api\/chat-list$/, "");
    const retried = await writesOf(again).send(
      "gc-10",
      { content },
      { psession: "bo", key: "restart-1" },
    );
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(await retried.text()).toBe(answered);
    expect(sends(portal)).toHaveLength(1);
  }, 60_000);
});

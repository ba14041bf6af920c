import { describe, expect, it } from "vitest";
import type { SortKey } from "../../src/core/sort.js";
import { createCursorCodec } from "../../src/http/chat-list/cursor.js";

// Issue 15, finding 5: page cursors are encrypted and authenticated, bound to the query and to
// the caller (DESIGN §1).

const key: SortKey = {
  last_active: "2026-03-10T12:00:00.000Z",
  type: "group_chat",
  name: "Board minutes",
  id: "gc-9f2c",
};
const QUERY = JSON.stringify(["/home/ana/proj", true, ["group_chat"]]);
const ANA = "a".repeat(64);

function codec(secret = "a-cursor-secret-of-some-length") {
  let now = Date.UTC(2026, 10, 22);
  return {
    cursors: createCursorCodec({ secret, ttlMs: 60_000, now: () => now }),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("page cursors", () => {
  it("come back as the sort key they were made from, for the same query and caller", async () => {
    const { cursors } = codec();
    const cursor = await cursors.encode(key, QUERY, ANA);
    expect(await cursors.decode(cursor, QUERY, ANA)).toEqual({ ok: true, key });
  });

  it("are refused for another caller", async () => {
    const { cursors } = codec();
    const cursor = await cursors.encode(key, QUERY, ANA);
    expect(await cursors.decode(cursor, QUERY, "b".repeat(64))).toMatchObject({ ok: false });
    expect(await cursors.decode(cursor, QUERY, "-")).toMatchObject({ ok: false });
  });

  it("are refused for another query", async () => {
    const { cursors } = codec();
    const cursor = await cursors.encode(key, QUERY, ANA);
    const other = JSON.stringify(["/home/ana/proj", false, ["group_chat"]]);
    expect(await cursors.decode(cursor, other, ANA)).toMatchObject({ ok: false });
  });

  it("are refused once expired", async () => {
    const { cursors, advance } = codec();
    const cursor = await cursors.encode(key, QUERY, ANA);
    advance(60_001);
    expect(await cursors.decode(cursor, QUERY, ANA)).toEqual({
      ok: false,
      reason: "has expired; start again from the first page",
    });
  });

  it("are refused when any character is altered", async () => {
    const { cursors } = codec();
    const cursor = await cursors.encode(key, QUERY, ANA);
    for (let index = 0; index < cursor.length; index += 7) {
      const altered = `${cursor.slice(0, index)}${cursor[index] === "A" ? "B" : "A"}${cursor.slice(index + 1)}`;
      expect(await cursors.decode(altered, QUERY, ANA)).toMatchObject({ ok: false });
    }
  });

  it("are refused by a gateway with another secret", async () => {
    const cursor = await codec().cursors.encode(key, QUERY, ANA);
    const other = codec("another-cursor-secret-entirely").cursors;
    expect(await other.decode(cursor, QUERY, ANA)).toMatchObject({ ok: false });
  });

  it("hold nothing readable: the key's name and id are not in their bytes", async () => {
    const { cursors } = codec();
    const cursor = await cursors.encode(key, QUERY, ANA);
    const bytes = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    for (const secret of ["Board", "minutes", "9f2c", "2026-03-10", "group_chat"])
      expect(bytes).not.toContain(secret);
  });

  it("are not alike for the same key twice (a fresh nonce each)", async () => {
    const { cursors } = codec();
    expect(await cursors.encode(key, QUERY, ANA)).not.toBe(await cursors.encode(key, QUERY, ANA));
  });
});

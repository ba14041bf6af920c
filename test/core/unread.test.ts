import { describe, expect, it } from "vitest";
import { portalUnread, vibenUnread } from "../../src/core/unread.js";

describe("vibenUnread", () => {
  const basis = { kind: "viben" as const, seenMs: 200, countedMs: [100, 200, 300, 400] };

  it("counts the messages after the human member's last look", () => {
    expect(vibenUnread(basis, null)).toBe(2);
  });

  it("counts from the caller's marker when it is later than the last look", () => {
    expect(vibenUnread(basis, 300)).toBe(1);
    expect(vibenUnread(basis, 400)).toBe(0);
  });

  it("keeps the last look when the marker is older", () => {
    expect(vibenUnread(basis, 50)).toBe(2);
  });

  it("counts everything when neither is known", () => {
    expect(vibenUnread({ ...basis, seenMs: null }, null)).toBe(4);
  });
});

describe("portalUnread", () => {
  const at = (ms: number, seq: number) => ({ ms, seq });
  const basis = {
    kind: "portal" as const,
    newest: at(10, 2),
    messages: [
      { position: at(9, 10), senderId: "3" },
      { position: at(10, 1), senderId: "1" },
      { position: at(10, 2), senderId: "3" },
    ],
  };

  it("orders positions as two integers: 9-10 comes before 10-2, which string order gets wrong", () => {
    expect("9-10" > "10-2").toBe(true);
    expect(portalUnread(basis, "7", at(9, 10))).toBe(2);
    expect(portalUnread(basis, "7", at(10, 1))).toBe(1);
  });

  it("counts from the caller's own newest message when it is after the marker", () => {
    expect(portalUnread(basis, "1", at(9, 10))).toBe(1);
    expect(portalUnread(basis, "1", null)).toBe(1);
  });

  it("counts everything held when there is neither marker nor own message", () => {
    expect(portalUnread(basis, "7", null)).toBe(3);
  });
});

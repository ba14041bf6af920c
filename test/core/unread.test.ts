import { describe, expect, it } from "vitest";
import { vibenUnread } from "../../src/core/unread.js";

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

import { describe, expect, it } from "vitest";
import { createPortalBudgets } from "../../src/sources/portal/budgets.js";
import { manualClock } from "../support/gateway.js";

// The portal's instance budget, shared between the parties waiting for it (fair-share.ts).

function budgets(perMinute: number) {
  const clock = manualClock();
  const b = createPortalBudgets({ clock, perMinute, perUserPerMinute: 1000 });
  /** Takes one call at a time, as a request does, until refused or `wanted` are taken. */
  const takeAll = (party: string, wanted: number) => {
    let taken = 0;
    while (taken < wanted && b.take(party, wanted - taken)) taken++;
    return taken;
  };
  return { b, clock, takeAll };
}

describe("the portal's instance budget", () => {
  it("is all one party's when nobody else waits for it", () => {
    const { takeAll } = budgets(10);
    expect(takeAll("ana", 50)).toBe(10);
  });

  it("keeps for a waiting party what it is owed, from a party over its share", () => {
    const { clock, takeAll } = budgets(10);
    expect(takeAll("ana", 50)).toBe(10);
    expect(takeAll("bo", 4)).toBe(0); // nothing left: Bo waits for four calls
    clock.advance(30_000); // five calls refilled; the share of each of two parties is five
    expect(takeAll("ana", 40)).toBe(1); // Ana, over her share, may not take Bo's four
    expect(takeAll("bo", 4)).toBe(4);
  });

  it("reserves nothing for a party once it was served", () => {
    const { b, clock, takeAll } = budgets(10);
    takeAll("ana", 10);
    expect(takeAll("bo", 4)).toBe(0);
    b.served("bo");
    clock.advance(30_000);
    expect(takeAll("ana", 40)).toBe(5);
  });

  it("reserves nothing for a party that stopped asking a minute ago", () => {
    const { clock, takeAll } = budgets(10);
    takeAll("ana", 10);
    expect(takeAll("bo", 4)).toBe(0);
    clock.advance(60_000);
    expect(takeAll("ana", 40)).toBe(10);
  });
});

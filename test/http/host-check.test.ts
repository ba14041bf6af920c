import { describe, expect, it } from "vitest";
import { hostCheck } from "../../src/http/middleware/host-guard.js";

describe("the Host check's memo of the last Host answered", () => {
  it("still refuses a foreign Host after a loopback one, and answers the loopback one again", () => {
    const check = hostCheck({ loopbackListener: true, allowedHosts: [] });
    expect(() => check("127.0.0.1:8787")).not.toThrow();
    expect(() => check("127.0.0.1:8787")).not.toThrow();
    expect(() => check("evil.example")).toThrow(/not a loopback name/);
    expect(() => check("evil.example")).toThrow(/not a loopback name/);
    expect(() => check("127.0.0.1:8787")).not.toThrow();
    expect(() => check("localhost:8787")).not.toThrow();
    expect(() => check("127.0.0.1.evil.example")).toThrow(/not a loopback name/);
  });
});

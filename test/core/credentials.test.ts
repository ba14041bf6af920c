import { describe, expect, it } from "vitest";
import { createCallers, psessionFrom } from "../../src/http/credentials.js";

describe("psessionFrom", () => {
  it("reads a lone psession cookie", () => {
    expect(psessionFrom("psession=abc123")).toBe("abc123");
  });

  it("takes only psession from a header with several cookies", () => {
    expect(psessionFrom("theme=dark; psession=abc123; lang=en")).toBe("abc123");
  });

  it("tolerates spaces around the name and value", () => {
    expect(psessionFrom("a=1;  psession = abc123 ;b=2")).toBe("abc123");
  });

  it("keeps '=' characters inside the value", () => {
    expect(psessionFrom("psession=YWJj==; other=x")).toBe("YWJj==");
  });

  it("reads a double-quoted value without its quotes", () => {
    expect(psessionFrom('psession="abc123"')).toBe("abc123");
  });

  it("does not match a cookie whose name merely contains psession", () => {
    expect(psessionFrom("xpsession=abc; psessionx=def")).toBeNull();
  });

  it("takes the first psession when the header repeats it", () => {
    expect(psessionFrom("psession=first; psession=second")).toBe("first");
  });

  it("gives null when the header is absent", () => {
    expect(psessionFrom(undefined)).toBeNull();
  });

  it("gives null when the header has no psession", () => {
    expect(psessionFrom("theme=dark; lang=en")).toBeNull();
  });

  it("gives null for an empty header", () => {
    expect(psessionFrom("")).toBeNull();
  });

  it.each([
    ["is empty", "psession="],
    ["is an empty quoted string", 'psession=""'],
    ["contains a space", "psession=abc def"],
    ["contains a comma", "psession=abc,def"],
    ["contains a backslash", "psession=abc\\def"],
    ["contains a double quote", 'psession=ab"c'],
    ["contains a non-ASCII character", "psession=abcä"],
    ["contains a control character", "psession=abc\u0001"],
    ["is a lone quote", 'psession="'],
    ["is longer than 4096 characters", `psession=${"a".repeat(4097)}`],
  ])("gives null when the value %s", (_label, header) => {
    expect(psessionFrom(header)).toBeNull();
  });

  it("accepts a value of exactly 4096 characters", () => {
    const value = "a".repeat(4096);
    expect(psessionFrom(`psession=${value}`)).toBe(value);
  });
});

describe("createCallers().from, which remembers the last Cookie header", () => {
  it("gives each header its own caller, however the headers alternate", () => {
    const hashed: string[] = [];
    const callers = createCallers((text) => {
      hashed.push(text);
      return `hash-of-${text}`;
    });
    const a = callers.from("psession=a");
    expect(a).toEqual({ psession: "a", psessionHash: "hash-of-a" });
    expect(callers.from("psession=a")).toBe(a);
    expect(hashed).toEqual(["a"]);
    expect(callers.from("psession=b")).toEqual({ psession: "b", psessionHash: "hash-of-b" });
    expect(callers.from(undefined)).toEqual({ psession: null, psessionHash: null });
    expect(callers.from("theme=dark")).toEqual({ psession: null, psessionHash: null });
    expect(callers.from("psession=a")).toEqual({ psession: "a", psessionHash: "hash-of-a" });
    expect(hashed).toEqual(["a", "b", "a"]);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

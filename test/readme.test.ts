import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../src/http/problem.js";

const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");

describe("the README's problem catalogue", () => {
  it("lists every error code with its status, and no other", () => {
    const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [
      code,
      Number(status),
    ]);
    const expected = Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]);
    expect(rows.sort()).toEqual(expected.sort());
  });
});

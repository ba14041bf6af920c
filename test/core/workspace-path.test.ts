import { describe, expect, it } from "vitest";
import {
  MAX_WORKSPACE_PATH_LENGTH,
  normalizeWorkspacePath,
} from "../../src/core/workspace-path.js";

describe("normalizeWorkspacePath accepts and normalizes absolute paths", () => {
  it.each([
    ["keeps an already normal path", "/home/ana/proj", "/home/ana/proj"],
    ["drops a trailing slash", "/home/ana/proj/", "/home/ana/proj"],
    ["drops several trailing slashes", "/home/ana/proj///", "/home/ana/proj"],
    ["collapses '//' inside the path", "/home//ana///proj", "/home/ana/proj"],
    ["collapses a leading '//'", "//home/ana", "/home/ana"],
    ["removes '.' segments", "/home/./ana/./proj/.", "/home/ana/proj"],
    ["resolves '..' against the previous segment", "/home/ana/../bob/proj", "/home/bob/proj"],
    ["resolves a trailing '..'", "/home/ana/proj/..", "/home/ana"],
    ["stops '..' at the root", "/../../etc", "/etc"],
    ["keeps the root as '/'", "/", "/"],
    ["reduces '//' to the root", "//", "/"],
    ["reduces '/..' to the root", "/..", "/"],
    ["keeps a backslash inside a POSIX segment", "/a\\b", "/a\\b"],
    ["keeps dots that are part of a name", "/home/ana/.config/..x", "/home/ana/.config/..x"],
  ])("%s", (_label, raw, expected) => {
    expect(normalizeWorkspacePath(raw)).toEqual({ ok: true, path: expected });
  });
});

describe("normalizeWorkspacePath with Windows drive paths", () => {
  it.each([
    ["drops a trailing backslash", "C:\\Users\\x\\", "C:\\Users\\x"],
    ["upper-cases the drive and uses backslashes", "c:/Users/x/", "C:\\Users\\x"],
    ["collapses mixed separators", "C:\\Users//x\\\\proj", "C:\\Users\\x\\proj"],
    ["resolves '..' and '.'", "C:\\Users\\x\\..\\y\\.\\proj", "C:\\Users\\y\\proj"],
    ["keeps the drive root", "C:\\", "C:\\"],
    ["stops '..' at the drive root", "C:\\..\\..", "C:\\"],
  ])("%s", (_label, raw, expected) => {
    expect(normalizeWorkspacePath(raw)).toEqual({ ok: true, path: expected });
  });
});

describe("normalizeWorkspacePath rejects", () => {
  it.each([
    ["a relative path", "home/ana"],
    ["a dot-relative path", "./proj"],
    ["a home-relative path", "~/proj"],
    ["a bare drive letter", "C:"],
    ["a drive-relative path", "C:proj"],
    ["an empty string", ""],
  ])("%s", (_label, raw) => {
    expect(normalizeWorkspacePath(raw).ok).toBe(false);
  });

  it("a path containing NUL", () => {
    expect(normalizeWorkspacePath("/home/ana\0/proj").ok).toBe(false);
  });

  it("a path longer than 4096 characters", () => {
    const raw = `/${"a".repeat(4096)}`;
    expect(raw.length).toBe(4097);
    expect(normalizeWorkspacePath(raw).ok).toBe(false);
  });
});

describe("normalizeWorkspacePath length limit", () => {
  it("is 4096", () => {
    expect(MAX_WORKSPACE_PATH_LENGTH).toBe(4096);
  });

  it("accepts a path of exactly 4096 characters", () => {
    const raw = `/${"a".repeat(4095)}`;
    expect(normalizeWorkspacePath(raw)).toEqual({ ok: true, path: raw });
  });
});

describe("normalizeWorkspacePath is idempotent", () => {
  it.each(["/home//ana/./proj/", "/../../etc", "c:/Users/x/", "/"])("for %s", (raw) => {
    const once = normalizeWorkspacePath(raw);
    if (!once.ok) throw new Error(`expected ${raw} to be accepted`);
    expect(normalizeWorkspacePath(once.path)).toEqual(once);
  });
});
